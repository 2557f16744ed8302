"""``xlt run RECIPE.yaml``: run a recipe end to end (cached, resumable)."""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path

import typer

from xlt.cli.common import FormatOption, OutputFormat, SetOption, emit_json, stderr_console
from xlt.cli.options import hidden_aliases


def register(app: typer.Typer) -> None:
    @app.command("run")
    @hidden_aliases(output_dir="--output-dir")
    def run(
        recipe: Path = typer.Argument(..., help="Recipe YAML (see docs/recipes.md and recipes/)."),
        sets: list[str] = SetOption,
        force: bool = typer.Option(
            False, "--force", help="Redo every step, ignoring cached results (implies --overwrite)."
        ),
        overwrite: bool = typer.Option(
            False,
            "--overwrite",
            help="Replace the outputs of a different recipe found in output_dir (refused otherwise).",
        ),
        output_dir: Path | None = typer.Option(None, "--out", "-o", help="Override output_dir."),
        fmt: OutputFormat = FormatOption,
    ) -> None:
        """Run a recipe: train/project/evaluate, caching each step in output_dir.

        Re-running skips finished steps; --force redoes them; an interrupted run resumes.
        An output_dir holding another recipe's outputs is refused unless --overwrite/--force.
        Writes metrics.json, run.json, resolved_recipe.yaml, the model and run.log.
        """
        from xlt.pipeline import load_recipe, run_recipe

        overrides = list(sets)
        if output_dir is not None:
            overrides.append(f"output_dir={output_dir}")
        rec, base = load_recipe(recipe, overrides)
        console = stderr_console()
        with console.status("starting", spinner="dots") as status:

            def say(message: str, transient: bool = False) -> None:
                status.update(message)
                if transient:
                    return
                console.print(f"[{time.strftime('%H:%M:%S')}] {message}", markup=False, highlight=False)

            # third-party libraries sometimes print to stdout; keep it for the result only
            with contextlib.redirect_stdout(sys.stderr):
                result = run_recipe(rec, base, force=force, overwrite=overwrite, status=say)
        m = result.metrics
        if fmt == OutputFormat.json:
            emit_json({"output_dir": str(result.output_dir), "metrics": m, "cached_steps": result.skipped})
            return
        out = typer.echo
        primary = m.get("primary_metric")
        out(f"run: {rec.name or recipe.stem} ({rec.task}, {rec.method}, model {_name(rec.model)})")
        out(f"target: {rec.target.language}")
        if primary:
            n = m.get("test", {}).get("n_tokens") or m.get("test", {}).get("n_gold_spans")
            extra = f" on {int(n)} {'tokens' if rec.task == 'pos' else 'spans'}" if n else ""
            out(f"target {primary}: {100 * m[primary]:.2f}{extra}")
        for name, value in (m.get("baselines") or {}).items():
            out(f"baseline {name}: {100 * value:.2f}")
        proj = m.get("projection") or {}
        if "kept" in proj:
            out(
                f"projected training data: {proj['kept']} of {proj['sentences_in']} sentences kept, "
                f"{100 * proj['train_token_coverage']:.1f}% of their tokens labelled"
            )
        cached = f" ({len(result.skipped)} cached steps)" if result.skipped else ""
        out(f"time: {m['timings']['total']:.1f}s{cached}")
        out(f"results: {result.output_dir / 'metrics.json'}")


def _name(spec: object) -> str:
    return str(spec.get("method")) if isinstance(spec, dict) else str(spec)
