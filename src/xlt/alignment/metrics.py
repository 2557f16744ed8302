"""Alignment error rate, precision, recall and F1 against sure/possible gold
(Och & Ney 2003, "A Systematic Comparison of Various Statistical Alignment Models").

With predicted links A, sure gold S and possible gold P (S ⊆ P):
precision = |A∩P|/|A|, recall = |A∩S|/|S|, AER = 1 - (|A∩S| + |A∩P|)/(|A| + |S|).
Counts are summed over the corpus (micro average).
"""

from __future__ import annotations

from collections.abc import Sequence

from xlt.errors import MismatchError
from xlt.types import Alignment


def alignment_scores(pred: Sequence[Alignment], gold: Sequence[Alignment]) -> dict[str, float]:
    """Corpus-level AER, precision, recall and F1 (F1 uses the precision/recall above)."""
    if len(pred) != len(gold):
        raise MismatchError(f"{len(gold)} gold alignments but {len(pred)} predicted")
    n_a = n_s = a_s = a_p = 0
    for p, g in zip(pred, gold, strict=True):
        a = p.sure
        sure = g.sure
        possible = g.sure | g.possible
        n_a += len(a)
        n_s += len(sure)
        a_s += len(a & sure)
        a_p += len(a & possible)
    precision = a_p / n_a if n_a else 0.0
    recall = a_s / n_s if n_s else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    aer = 1.0 - (a_s + a_p) / (n_a + n_s) if n_a + n_s else 0.0
    return {
        "aer": aer,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "n_pairs": float(len(gold)),
        "n_pred_links": float(n_a),
        "n_sure_links": float(n_s),
    }
