"""How the renderers write numbers: p-values, correlations, percentages, scatter-plot notes."""

from __future__ import annotations

import math
from typing import Any

from xlt.evaluation.significance import PairedTest


def format_p(p: float) -> str:
    """A p-value: ``–`` when missing, scientific below 0.001, else four decimals."""
    return "–" if p is None or math.isnan(p) else (f"{p:.2e}" if p < 1e-3 else f"{p:.4f}")


def format_bootstrap_p(test: PairedTest) -> str:
    """A bootstrap p-value; 0 means below the resolution 1/n_resamples."""
    return f"< {1 / test.n_resamples:.2g}" if test.p_value == 0 else f"{test.p_value:.4f}"


def format_r(r: float) -> str:
    """A signed correlation coefficient with three decimals, ``–`` when missing."""
    return "–" if r is None or math.isnan(r) else f"{r:+.3f}"


def format_percent(value: Any) -> str:
    """A fraction as a percentage with one decimal, ``–`` when it is not a number."""
    return f"{100 * value:.1f}" if isinstance(value, (int, float)) else "–"


def correlation_note(pearson_r: float, spearman_rho: float, n: int) -> str:
    """Scatter-plot note: Pearson r, Spearman ρ and n (only n below 3 points)."""
    return f"r={pearson_r:.2f} ρ={spearman_rho:.2f} n={n}" if n >= 3 else f"n={n}"
