"""``xlt finetune``: fine-tune an HF encoder on source languages and evaluate on targets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from xlt.cli.common import FormatOption, OutputFormat, SetOption, config_from_cli, emit_json, stdout_console
from xlt.cli.options import config_options
from xlt.finetuning.experiment import FinetuneRunConfig


def register(app: typer.Typer) -> None:
    @app.command("finetune")
    @config_options(
        FinetuneRunConfig,
        names={"output_dir": ("--out", "-o")},
        aliases={"output_dir": ("--output-dir",)},
        panel="Experiment options (FinetuneRunConfig; nested keys such as training.* with --set)",
    )
    def finetune_cmd(
        config: Path = typer.Option(..., "--config", "-c", help="FT.yaml (see docs/finetuning.md)."),
        model: str | None = typer.Option(None, "--model", help="Override training.model (hub id or path)."),
        threads: int | None = typer.Option(None, "--threads", help="torch CPU threads (default: torch's)."),
        sets: list[str] = SetOption,
        fmt: OutputFormat = FormatOption,
        options: dict[str, Any] | None = None,
    ) -> None:
        """Zero/few-shot transfer: train on sources, evaluate every target (labelled by selection)."""
        from xlt.pipeline.finetune import run_transfer

        extra = [f"training.model={model}"] if model else []
        cfg = config_from_cli(FinetuneRunConfig, config_file=config, sets=[*extra, *sets], flags=options)
        import torch

        before = torch.get_num_threads()
        if threads:
            torch.set_num_threads(threads)
        try:
            report = run_transfer(cfg)
        finally:
            torch.set_num_threads(before)
        if fmt == OutputFormat.json:
            emit_json(report)
            return
        _print_text(report)


def _print_text(report: dict) -> None:
    from rich.table import Table

    console = stdout_console()
    head = f"{report['task']} · {report['model']} · sources {', '.join(report['sources'])}"
    if report.get("intermediate"):
        head += f" → {report['intermediate']}"
    if report["few_shot"]["k"]:
        head += f" · few-shot k={report['few_shot']['k']} (seed {report['few_shot']['seed']})"
    console.print(head)
    table = Table("target", "variant", "selection", "score", "sd", "runs")
    for row in report["summary"]:
        sd = "" if row["sd"] is None else f"{row['sd']:.4f}"
        table.add_row(
            row["target"], row["variant"], row["selection"], f"{row['score']:.4f}", sd, str(row["runs"])
        )
    console.print(table)
    if any(r["selection"] == "oracle" for r in report["summary"]):
        console.print("rows with selection `oracle` chose checkpoints on target dev data: not zero-shot.")
    final = report.get("final")
    if final:
        console.print(
            f"final model ({final['variant']}, selection {final['selection']}), {final['metric']} "
            "with 95% bootstrap CI:"
        )
        for lang, t in final["targets"].items():
            console.print(f"  {lang}: {t['score']:.4f} [{t['ci'][0]:.4f}, {t['ci'][1]:.4f}] (n={t['n']})")
    if report.get("output_dir"):
        out = report["output_dir"]
        console.print(f"results, model and run directory in {out} (xlt runs show {out}; xlt report {out})")
