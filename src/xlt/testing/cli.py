"""Run ``xlt`` commands in-process for tests (Typer's CliRunner on :data:`xlt.cli.app.app`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

Arg = str | Path  # paths are passed as str(path)


def invoke(*args: Arg) -> Result:
    """``xlt ARGS`` in-process; the result (exit code, stdout, output) whatever the outcome."""
    from xlt.cli.app import app

    return CliRunner().invoke(app, [str(a) for a in args])


def invoke_ok(*args: Arg) -> Result:
    """``xlt ARGS``, which must exit 0 (else an AssertionError showing its output)."""
    r = invoke(*args)
    assert r.exit_code == 0, r.output
    return r


def invoke_json(*args: Arg) -> Any:
    """The JSON document printed by a successful ``xlt ARGS --format json``."""
    return json.loads(invoke_ok(*args, "--format", "json").stdout)
