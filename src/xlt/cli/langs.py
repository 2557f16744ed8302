"""``xlt langs``: language codes, metadata, scripts and distances."""

from __future__ import annotations

import math
from pathlib import Path

import typer

from xlt.cli.common import FormatOption, OutputFormat, emit_json, stdout_console

langs_app = typer.Typer(
    help="Language codes, metadata, scripts and typological distances.", no_args_is_help=True
)


@langs_app.command("info")
def info_cmd(
    codes: list[str] = typer.Argument(
        ..., help="Language codes, FLORES codes, glottocodes or English names."
    ),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Show names, codes, family, macro-area, coordinates and scripts of languages."""
    from xlt.languages.info import language_info

    infos = [language_info(code) for code in codes]
    if fmt == OutputFormat.json:
        emit_json(infos[0] if len(infos) == 1 else infos)
        return
    console = stdout_console()
    for n, info in enumerate(infos):
        if n:
            console.print()
        rows = [
            ("name", info.name),
            ("given", info.given),
            ("ISO 639-3", info.code),
            ("ISO 639-1", info.iso639_1),
            ("ISO 639-2/B", info.iso639_2b),
            ("macrolanguage", info.macrolanguage),
            ("glottocode", info.glottocode),
            ("WALS code", info.wals),
            ("FLORES", ", ".join(info.flores) or None),
            ("family", info.family),
            ("classification", " > ".join(info.classification) or None),
            ("macro-area", info.macroarea),
            (
                "coordinates",
                f"{info.latitude:.4f}, {info.longitude:.4f}" if info.latitude is not None else None,
            ),
            ("scripts", ", ".join(info.scripts) or None),
            ("in URIEL", "yes" if info.in_uriel else "no"),
        ]
        width = max(len(k) for k, _ in rows)
        for key, value in rows:
            console.print(f"{key:<{width}}  {value if value is not None else '-'}", markup=False)


@langs_app.command("resolve")
def resolve_cmd(
    codes: list[str] = typer.Argument(..., help="Codes or names to normalise."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Normalise codes/names to xlt's canonical ISO 639-3 code (+ script)."""
    from xlt.languages.codes import resolve

    langs = [resolve(c) for c in codes]
    if fmt == OutputFormat.json:
        emit_json([{"given": lang.given, "code": lang.code, "script": lang.script} for lang in langs])
        return
    for lang in langs:
        typer.echo(f"{lang.given}\t{lang.code}" + (f"\t{lang.script}" if lang.script else ""))


@langs_app.command("script")
def script_cmd(
    path: Path = typer.Argument(..., help="Text file (plain or compressed); '-' is not supported."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Detect the dominant writing system (ISO 15924) of a text file."""
    from xlt.io.files import iter_lines
    from xlt.languages.scripts import script_counts

    counts: dict[str, int] = {}
    for _, line in iter_lines(path):
        for script, n in script_counts(line, limit=None).items():
            counts[script] = counts.get(script, 0) + n
    total = sum(counts.values())
    dominant = max(counts, key=lambda s: counts[s]) if counts else "Zyyy"
    if fmt == OutputFormat.json:
        emit_json({"path": str(path), "script": dominant, "counts": dict(sorted(counts.items()))})
        return
    typer.echo(f"{dominant}")
    for script, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        typer.echo(f"  {script}\t{n}\t{100 * n / total:.1f}%")


@langs_app.command("distance")
def distance_cmd(
    first: str = typer.Argument(..., help="A language."),
    second: str = typer.Argument(..., help="Another language."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """URIEL, geographic and genealogical distances between two languages."""
    from xlt.languages.codes import resolve
    from xlt.ranking.features import pair_features

    a, b = resolve(first), resolve(second)
    feats = pair_features(b, a)
    if fmt == OutputFormat.json:
        emit_json({"first": a.given, "second": b.given, "features": feats})
        return
    for key, value in feats.items():
        shown = "unknown" if isinstance(value, float) and math.isnan(value) else f"{value:.4g}"
        typer.echo(f"{key:<22} {shown}")


def register(app: typer.Typer) -> None:
    app.add_typer(langs_app, name="langs")
