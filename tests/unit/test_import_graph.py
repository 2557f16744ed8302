"""Layering read from the source: no module-level import cycle in xlt, and the library never imports the CLI."""

from __future__ import annotations

from pathlib import Path

import xlt
from xlt.testing.imports import import_cycles, import_graph, imports_anywhere

SOURCE_ROOT = Path(xlt.__file__).resolve().parent.parent

#: test helpers whose job is to drive the CLI in-process (Typer's CliRunner, the console entry point)
CLI_DRIVERS = {"xlt.testing.cli", "xlt.testing.hostile"}


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_xlt_has_no_module_level_import_cycle() -> None:
    cycles = import_cycles(import_graph(SOURCE_ROOT))
    assert cycles == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_xlt_has_no_import_cycle_even_through_deferred_imports() -> None:
    """Function-level imports too: a package that imports its own implementations back is a loop
    in the layering even where Python never trips on it."""
    cycles = import_cycles(import_graph(SOURCE_ROOT, deferred=True))
    assert cycles == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_the_library_never_imports_the_cli() -> None:
    offenders = {
        module: sorted(targets)
        for module, targets in imports_anywhere(SOURCE_ROOT, "xlt.cli").items()
        if not module.startswith("xlt.cli") and module not in CLI_DRIVERS
    }
    assert offenders == {}


def test_a_cycle_is_found(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import thing\n",
            "pkg/b.py": "from . import c\nthing = 1\n",
            "pkg/c.py": "import pkg.a\n",
            "pkg/d.py": "import pkg.a\n",
        },
    )
    assert import_cycles(import_graph(root)) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_deferred_imports_are_not_cycles(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg import a\n",
            "pkg/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n",
            "pkg/b.py": "import pkg.a\n\ndef late():\n    from pkg import a\n",
        },
    )
    graph = import_graph(root)
    assert graph["pkg.a"] == set()
    assert graph["pkg.b"] == {"pkg.a"}  # its own package is already loading, not an import
    assert import_cycles(graph) == []
    assert import_graph(root, deferred=True)["pkg.a"] == set()  # TYPE_CHECKING never runs
    assert import_cycles(import_graph(root, deferred=True)) == []
    assert imports_anywhere(root, "pkg.a") == {"pkg": {"pkg.a"}, "pkg.b": {"pkg.a"}}


def test_a_deferred_cycle_is_found_when_asked(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/c.py": "def late():\n    import pkg.d\n",
            "pkg/d.py": "import pkg.c\n",
        },
    )
    assert import_cycles(import_graph(root)) == []
    assert import_cycles(import_graph(root, deferred=True)) == [["pkg.c", "pkg.d"]]
