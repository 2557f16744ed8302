"""The option generator (`xlt.cli.options`): help, choices, defaults, flags and lists come from
the pydantic config model."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pytest
import typer
from pydantic import Field
from typer.testing import CliRunner

from xlt.cli.options import config_options, hidden_aliases, model_options, split_commas
from xlt.config import MethodConfig


class DemoConfig(MethodConfig):
    method: Literal["demo"] = "demo"
    min_coverage: float = Field(0.5, ge=0, le=1, description="Least share of tokens covered.")
    mode: Literal["fast", "exact"] = Field("fast", description="Search mode.")
    model: Literal[1, 2, 3] = Field(3, description="Model number.")
    center: bool = Field(True, description="Centre the vectors.")
    layer: int | list[int] | None = Field(None, description="Hidden layer(s).")
    labels: tuple[str, ...] = Field(("_",), description="Labels to skip.")
    dictionary: Path | None = Field(None, description="A dictionary file.")
    extra: dict[str, Any] = Field(default_factory=dict, description="Nested options.")


class OtherConfig(MethodConfig):
    method: Literal["other"] = "other"
    model: str = Field("xlm-roberta-base", description="Hub id of an encoder.")
    mode: Literal["fast", "exact"] = Field("fast", description="Search mode.")


def _app(*models, **kw) -> typer.Typer:
    app = typer.Typer()
    seen: dict[str, Any] = {}

    @app.command()
    @config_options(*models, exclude=("method",), **kw)
    @hidden_aliases(out="--output-dir")
    def cmd(
        out: Path | None = typer.Option(None, "--out", "-o", help="Output file."),
        options: dict[str, Any] | None = None,
    ) -> None:
        seen.clear()
        seen.update(options or {})
        seen["<out>"] = out
        typer.echo("ok")

    app.seen = seen  # type: ignore[attr-defined]
    return app


def _run(app: typer.Typer, *args: str) -> tuple[int, str, dict[str, Any]]:
    r = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
    return r.exit_code, r.output, dict(app.seen)  # type: ignore[attr-defined]


def _help(app: typer.Typer) -> str:
    code, out, _ = _run(app, "--help")
    assert code == 0, out
    return " ".join(out.replace("│", " ").split())


def test_help_is_the_field_description_and_shows_defaults_and_choices():
    text = _help(_app(DemoConfig, comma=("labels",), aliases={"dictionary": ("--dict",)}))
    for name, field in DemoConfig.model_fields.items():
        if name in ("method", "extra"):
            continue
        assert field.description in text, name
    assert "--min-coverage" in text and "[default: 0.5]" in text
    assert "fast|exact" in text and "[default: fast]" in text
    assert "--center --no-center" in text
    assert "--extra" not in text  # a dict gets no flag (--set reaches it)
    assert "--dict " not in text and "--output-dir" not in text  # hidden aliases


def test_only_given_flags_are_returned():
    app = _app(DemoConfig)
    code, out, seen = _run(app)
    assert code == 0, out
    assert seen == {"<out>": None}  # defaults stay in the model (a --config file keeps its values)
    code, out, seen = _run(app, "--mode", "exact", "--model", "2", "--no-center", "--min-coverage", "0.25")
    assert code == 0, out
    assert seen == {"mode": "exact", "model": 2, "center": False, "min_coverage": 0.25, "<out>": None}
    assert DemoConfig.model_validate({k: v for k, v in seen.items() if k != "<out>"}).model == 2


def test_bad_choice_is_rejected_with_the_choices():
    code, out, _ = _run(_app(DemoConfig), "--mode", "slow")
    assert code == 2
    assert "--mode" in out and "'fast'" in out and "'exact'" in out


def test_bad_number_is_rejected():
    code, out, _ = _run(_app(DemoConfig), "--min-coverage", "lots")
    assert code == 2 and "--min-coverage" in out


def test_repeated_and_comma_joined_lists():
    app = _app(DemoConfig, comma=("labels",))
    _, _, seen = _run(app, "--layer", "8")
    assert seen["layer"] == 8  # one value of an `int | list[int]` field stays a scalar
    _, _, seen = _run(app, "--layer", "8", "--layer", "9", "--labels", "O,_", "--labels", "X")
    assert seen["layer"] == [8, 9] and seen["labels"] == ["O", "_", "X"]


def test_hidden_aliases_and_conflicts():
    app = _app(DemoConfig, aliases={"dictionary": ("--dict",)})
    _, _, seen = _run(app, "--dict", "d.txt", "--output-dir", "o")
    assert seen == {"dictionary": Path("d.txt"), "<out>": Path("o")}
    assert _run(app, "--dictionary", "a", "--dict", "b")[0] != 0
    assert _run(app, "--out", "a", "--output-dir", "b")[0] != 0


def test_choice_aliases_map_to_the_models_values():
    app = _app(DemoConfig, choice_aliases={"mode": {"x": "exact"}})
    assert "fast|exact|x" in _help(app)
    assert _run(app, "--mode", "x")[2]["mode"] == "exact"


def test_union_of_models():
    app = _app(DemoConfig, OtherConfig)
    text = _help(app)
    assert "demo: Centre the vectors." in text  # a field of one model names it
    assert "demo: Model number. other: Hub id of an encoder." in text
    # a field typed differently per model takes a --set-like value
    assert _run(app, "--model", "2")[2]["model"] == 2
    assert _run(app, "--model", "xlm-roberta-large")[2]["model"] == "xlm-roberta-large"


def test_specs_name_flags_from_fields():
    specs = {s.key: s for s in model_options(DemoConfig, names={"dictionary": ("--dict-file", "-d")})}
    assert specs["min_coverage"].info.param_decls[0] == "--min-coverage"
    assert specs["dictionary"].info.param_decls == ("--dict-file", "-d")
    assert "extra" not in specs


def test_split_commas():
    assert split_commas(["a,b", " c ", "", 3]) == ["a", "b", "c", 3]


def test_parameter_clash_is_refused():
    with pytest.raises(TypeError, match="clash"):

        @config_options(DemoConfig)
        def cmd(opt_mode: str = "x", options: dict | None = None) -> None: ...
