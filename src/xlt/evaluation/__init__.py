"""Evaluation: metrics, bootstrap CIs, significance, run store, transfer analysis, MEXA, reports.

See docs/evaluation.md. The heavy parts (MEXA embeddings) import torch/transformers lazily.
"""

from xlt.evaluation.aggregate import SeedSummary, mean_std
from xlt.evaluation.bootstrap import Interval, bootstrap_ci, per_language_ci
from xlt.evaluation.correlation import Correlation, distance_correlations, pearson, spearman
from xlt.evaluation.metrics import classification_scores, per_label_prf, span_prf, token_accuracy
from xlt.evaluation.rundir import RunRecord, load_run
from xlt.evaluation.runstore import RunStore, record_into_workspace, write_run
from xlt.evaluation.significance import PairedTest, paired_bootstrap

__all__ = [
    "Correlation",
    "Interval",
    "PairedTest",
    "RunRecord",
    "RunStore",
    "SeedSummary",
    "bootstrap_ci",
    "classification_scores",
    "distance_correlations",
    "load_run",
    "mean_std",
    "paired_bootstrap",
    "pearson",
    "per_label_prf",
    "per_language_ci",
    "record_into_workspace",
    "span_prf",
    "spearman",
    "token_accuracy",
    "write_run",
]
