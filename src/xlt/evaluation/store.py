"""Run directories and the SQLite run store, under their old import location.

The run-directory format (reading and writing one run's files) is :mod:`xlt.evaluation.rundir`;
the SQLite index of many runs is :mod:`xlt.evaluation.runstore`. Both are re-exported here.
"""

from xlt.evaluation.rundir import (
    METRICS_FILE,
    PREDICTIONS_FILE,
    PRIMARY_METRICS,
    RANKING_FILE,
    RECIPE_FILE,
    RUN_FILE,
    RunRecord,
    aligned_predictions,
    default_run_id,
    find_run_dirs,
    load_run,
    now_iso,
    package_versions,
    read_predictions,
    write_run_dir,
)
from xlt.evaluation.runstore import (
    SCHEMA_VERSION,
    STORE_FILE,
    RunStore,
    record_into_workspace,
    resolve_runs,
    write_run,
)

__all__ = [
    "METRICS_FILE",
    "PREDICTIONS_FILE",
    "PRIMARY_METRICS",
    "RANKING_FILE",
    "RECIPE_FILE",
    "RUN_FILE",
    "SCHEMA_VERSION",
    "STORE_FILE",
    "RunRecord",
    "RunStore",
    "aligned_predictions",
    "default_run_id",
    "find_run_dirs",
    "load_run",
    "now_iso",
    "package_versions",
    "read_predictions",
    "record_into_workspace",
    "resolve_runs",
    "write_run",
    "write_run_dir",
]
