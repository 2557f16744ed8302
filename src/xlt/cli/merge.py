"""``xlt merge METHOD MODEL... --out DIR``: merge compatible models (encoders with heads or LMs)."""

from __future__ import annotations

from pathlib import Path

import typer

from xlt.cli.common import FormatOption, OutputFormat, SetOption, emit_json, stdout_console


def _parse_weights(text: str | None) -> list[float] | None:
    from xlt.errors import ConfigError

    if text is None:
        return None
    try:
        return [float(x) for x in text.replace(",", " ").split()]
    except ValueError:
        raise ConfigError(f"--weights {text!r}: expected numbers separated by commas, e.g. 0.7,0.3") from None


def register(app: typer.Typer) -> None:
    @app.command("merge")
    def merge(
        method: str = typer.Argument(
            ..., help="Merge method: average, linear, task_arithmetic, ties, layer_swap."
        ),
        models: list[str] = typer.Argument(
            ...,
            help="Models to merge (hub ids or local paths); the first one's architecture, head and tokenizer are kept.",
        ),
        out: Path = typer.Option(..., "--out", "-o", help="Output directory (save_pretrained)."),
        config: Path | None = typer.Option(
            None, "--config", "-c", help="YAML file with the method's options."
        ),
        weights: str | None = typer.Option(None, "--weights", help="Per-model weights, e.g. 0.7,0.3."),
        base: str | None = typer.Option(None, "--base", help="Base model (task_arithmetic, ties)."),
        sets: list[str] = SetOption,
        trust_remote_code: bool = typer.Option(False, "--trust-remote-code", help="Allow custom model code."),
        fmt: OutputFormat = FormatOption,
    ) -> None:
        """Merge models with a registered method and save the result with save_pretrained.

        Examples: `xlt merge average run1 run2 run3 --out avg`;
        `xlt merge ties ner-sw ner-yo --base xlm-roberta-base --out merged --set density=0.3`;
        `xlt merge layer_swap task-model lang-model --out swapped --set "layers=['0-1','10-11']"`.
        """
        from xlt.cli.common import config_from_cli
        from xlt.merging.methods import mergers
        from xlt.merging.models import merge_models

        cfg_cls = mergers.config_class(method)
        cfg = config_from_cli(
            cfg_cls,
            config_file=config,
            sets=sets,
            flags={"method": method, "weights": _parse_weights(weights)},
        )
        _, result = merge_models(
            method, models, config=cfg, base=base, out=out, trust_remote_code=trust_remote_code
        )
        if fmt == OutputFormat.json:
            emit_json(result)
            return
        console = stdout_console()
        console.print(f"merged {len(models)} models with {method} -> {out}")
        console.print(f"  parameters merged: {result.merged_parameters}")
        if result.copied_parameters:
            console.print(
                f"  copied from {models[0]} (not shared): {len(result.copied_parameters)} "
                f"({', '.join(result.copied_parameters[:4])}{'...' if len(result.copied_parameters) > 4 else ''})"
            )
