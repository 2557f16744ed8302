"""The ``xlt`` command-line application (a thin skin over the library)."""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

import typer

from xlt import __version__
from xlt.errors import XltError

#: command modules; each defines ``register(app)``
COMMAND_MODULES: tuple[str, ...] = (
    "xlt.cli.methods",
    "xlt.cli.data",
    "xlt.cli.catalog",
    "xlt.cli.merge",
    "xlt.cli.models",
    "xlt.cli.vocab",
    "xlt.cli.langs",
    "xlt.cli.rank",
    "xlt.cli.pretrain",
    "xlt.cli.finetune",
    "xlt.cli.run",
    "xlt.cli.runs",
    "xlt.cli.report",
    "xlt.cli.mexa",
    "xlt.cli.align",
    "xlt.cli.project",
    "xlt.cli.translate",
)

app = typer.Typer(
    name="xlt",
    help="Cross-lingual transfer to low-resource languages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"xlt {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="More log output (-vv for debug)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show version."),
) -> None:
    """Cross-lingual transfer to low-resource languages."""
    from xlt.logs import setup_logging
    from xlt.tempfiles import clean_stale

    setup_logging(verbose)
    clean_stale()  # temporaries of xlt processes that were killed (SIGKILL, OOM) before cleaning up


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(app)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: XltErrors become one clear message and exit code 1."""
    try:
        app(args=argv, standalone_mode=False)
    except XltError as err:
        logging.getLogger("xlt").debug("error details", exc_info=True)
        typer.echo(f"error: {err}", err=True)
        sys.exit(1)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except Exception as err:  # click usage errors
        import click

        if isinstance(err, click.ClickException):
            err.show()
            sys.exit(err.exit_code)
        _internal_error(err)


def _internal_error(err: BaseException) -> None:
    """Last safety net: an unexpected exception becomes one line and exit code 2, never a traceback.

    The traceback is logged at debug level (``-vv``) for bug reports.
    """
    import traceback

    logging.getLogger("xlt").debug("internal error", exc_info=err)
    frames = traceback.extract_tb(err.__traceback__)
    ours = [f for f in frames if "/xlt/" in f.filename.replace("\\", "/")]
    at = f" at {Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else ""
    first = str(err).splitlines()[0][:300] if str(err) else ""
    typer.echo(f"error: internal error{at}: {type(err).__name__}: {first}", err=True)
    typer.echo("  hint: this is a bug in xlt; rerun with -vv for the traceback and report it", err=True)
    sys.exit(2)


if __name__ == "__main__":
    main()
