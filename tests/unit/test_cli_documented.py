"""Every `xlt ...` command shown in README.md and docs/*.md still parses: `--help` of its
subcommand works and the documented flags (old spellings included) are accepted."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer

from xlt.cli.app import app
from xlt.testing.cli import invoke

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: a line with these is a synopsis (optional parts, placeholders): only its --help is checked
PLACEHOLDER = re.compile(r"\[|\.\.\.|<|\|(?!\|\|)")


def documented_commands() -> list[tuple[str, str]]:
    """``(where, command line)`` of each ``xlt`` line in a fenced block (continuations joined)."""
    found: list[tuple[str, str]] = []
    for doc in DOCS:
        fenced, pending, start = False, "", 0
        for n, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), start=1):
            if line.lstrip().startswith("```"):
                fenced, pending = not fenced, ""
                continue
            if not fenced:
                continue
            text = line.strip().removeprefix("$ ")
            if pending:
                text, pending = pending + " " + text, ""
            elif not text.startswith("xlt "):
                continue
            else:
                start = n
            if text.endswith("\\"):
                pending = text[:-1]
                continue
            found.append((f"{doc.name}:{start}", text))
    return found


COMMANDS = documented_commands()


def _split(line: str) -> tuple[list[str], list[str]]:
    """The subcommand path (``["rank", "fit"]``) and the arguments after it."""
    words = shlex.split(line, comments=True)[1:]
    cmd = typer.main.get_command(app)
    path: list[str] = []
    while words and hasattr(cmd, "commands") and words[0] in cmd.commands:
        cmd = cmd.commands[words[0]]
        path.append(words.pop(0))
    return path, words


def test_docs_show_commands():
    assert len(COMMANDS) > 50
    assert {_split(line)[0][0] for _, line in COMMANDS} >= {
        "align",
        "project",
        "rank",
        "finetune",
        "pretrain",
        "vocab",
    }


@pytest.mark.parametrize("path", sorted({tuple(_split(line)[0]) for _, line in COMMANDS}), ids=" ".join)
def test_documented_subcommand_help(path):
    r = invoke(*path, "--help")
    assert r.exit_code == 0, r.output
    assert "Usage" in r.output


def _parse(path: list[str], args: list[str]) -> None:
    cmd = typer.main.get_command(app)
    for name in path:
        cmd = cmd.commands[name]  # type: ignore[attr-defined]
    cmd.make_context(" ".join(["xlt", *path]), list(args))


@pytest.mark.parametrize(
    "where,line",
    [c for c in COMMANDS if not PLACEHOLDER.search(c[1])],
    ids=[c[0] for c in COMMANDS if not PLACEHOLDER.search(c[1])],
)
def test_documented_command_parses(where, line):
    path, args = _split(line)
    _parse(path, args)  # a usage error (unknown flag, bad choice, missing option) raises


OLD_SPELLINGS = [
    ["finetune", "--config", "ft.yaml", "--output-dir", "out"],
    ["pretrain", "--output-dir", "out", "--corpus", "a.txt", "--corpus", "b.txt"],
    ["run", "recipe.yaml", "--output-dir", "out"],
    ["align", "--parallel", "c.src-tgt", "-s", "gdfa", "--layer", "8", "--out", "p.txt"],
    ["rank", "fit", "--table", "t.csv", "--out", "m", "--samples", "dir", "--features", "uriel,geography"],
    ["rank", "fit", "--table", "t.csv", "--out", "m", "--calibrate-on", "wol,hau"],
    ["rank", "predict", "--target", "wol", "--candidates", "swa,fra"],
    ["rank", "evaluate", "--table", "t.csv", "--targets", "a,b", "--rankers", "lambdarank,geographic"],
    ["project", "--source", "en.conll", "--target", "x", "--alignments", "a", "--task", "pos", "-o", "o"],
]


@pytest.mark.parametrize("args", OLD_SPELLINGS, ids=" ".join)
def test_old_spellings_still_parse(args):
    path, rest = _split("xlt " + shlex.join(args))
    _parse(path, rest)


@pytest.mark.parametrize(
    "args",
    [
        ["finetune", "--config", "ft.yaml", "-o", "out"],
        ["pretrain", "-o", "out"],
        ["run", "recipe.yaml", "-o", "out"],
        ["rank", "fit", "--table", "t.csv", "-o", "m"],
        ["rank", "evaluate", "--table", "t.csv", "-o", "r.json"],
    ],
    ids=" ".join,
)
def test_out_short_flag(args):
    path, rest = _split("xlt " + shlex.join(args))
    _parse(path, rest)
