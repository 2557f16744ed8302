"""Read a package's import graph from its source (``ast``, nothing imported) to check layering.

:func:`import_graph` maps each module to the package modules it imports when it is loaded
(module-level statements, including those under ``if``/``try``; ``if TYPE_CHECKING:`` blocks and
imports inside functions are left out, since they do not run at import time; ``deferred=True``
counts them too). Importing
``a.b.c`` also loads the packages ``a`` and ``a.b``, so those count as imported too.
:func:`import_cycles` lists the strongly connected components of that graph, and
:func:`imports_anywhere` finds every import of a module, function-level ones included.

    python -m xlt.testing.imports src      # prints the cycles, exits 1 if there is one
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ModuleSource:
    """One module of the tree: its dotted name, file, and whether it is a package ``__init__``."""

    name: str
    path: Path
    is_package: bool


def find_modules(source_root: Path) -> dict[str, ModuleSource]:
    """Every ``*.py`` below ``source_root`` (the folder holding the top-level packages), by dotted name."""
    modules: dict[str, ModuleSource] = {}
    for path in sorted(source_root.rglob("*.py")):
        parts = list(path.relative_to(source_root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        if parts:
            modules[".".join(parts)] = ModuleSource(".".join(parts), path, is_package)
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return "TYPE_CHECKING" in ast.unparse(test)


def _module_level_imports(statements: Iterable[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements run when the module loads (not under ``if TYPE_CHECKING:``)."""
    for statement in statements:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            yield statement
        elif isinstance(statement, ast.If):
            if not _is_type_checking(statement.test):
                yield from _module_level_imports(statement.body)
            yield from _module_level_imports(statement.orelse)
        elif isinstance(statement, ast.Try):
            for block in (statement.body, statement.orelse, statement.finalbody):
                yield from _module_level_imports(block)
            for handler in statement.handlers:
                yield from _module_level_imports(handler.body)
        elif isinstance(statement, ast.With):
            yield from _module_level_imports(statement.body)


def _all_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, function bodies included."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node


def _runnable_imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import below ``node`` that can run, at load time or later (``if TYPE_CHECKING:``
    bodies left out)."""
    children: Iterable[ast.AST] = ast.iter_child_nodes(node)
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        children = node.orelse
    for child in children:
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child
        else:
            yield from _runnable_imports(child)


def _targets(
    statement: ast.Import | ast.ImportFrom, module: ModuleSource, modules: dict[str, ModuleSource]
) -> set[str]:
    """The tree's modules one import statement loads (with their parent packages)."""
    names: set[str] = set()
    if isinstance(statement, ast.Import):
        names.update(alias.name for alias in statement.names)
    else:
        if statement.level:
            package = module.name if module.is_package else module.name.rpartition(".")[0]
            base = package.split(".")
            base = base[: len(base) - (statement.level - 1)]
            imported_from = ".".join(base + ([statement.module] if statement.module else []))
        else:
            imported_from = statement.module or ""
        for alias in statement.names:
            submodule = f"{imported_from}.{alias.name}"
            names.add(submodule if submodule in modules else imported_from)
    loaded: set[str] = set()
    for name in names:
        parts = name.split(".")
        for end in range(1, len(parts) + 1):
            prefix = ".".join(parts[:end])
            if prefix in modules:
                loaded.add(prefix)
    # a module inside a package does not load that package by importing a sibling: it is already loading
    return {name for name in loaded if name != module.name and not module.name.startswith(name + ".")}


def import_graph(source_root: Path, *, deferred: bool = False) -> dict[str, set[str]]:
    """Module -> the tree's modules it imports at load time (with ``deferred``, also those it
    imports inside functions: a cycle there is a layering loop even where it never fails)."""
    modules = find_modules(source_root)
    graph: dict[str, set[str]] = {}
    for name, module in modules.items():
        tree = ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))
        targets: set[str] = set()
        statements = _runnable_imports(tree) if deferred else _module_level_imports(tree.body)
        for statement in statements:
            targets |= _targets(statement, module, modules)
        graph[name] = targets
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The graph's strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:  # iterative, so deep graphs do not hit the recursion limit
        nonlocal counter
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = lowlink[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = lowlink[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    advanced = True
                    break
                if successor in on_stack:
                    lowlink[node] = min(lowlink[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                lowlink[parent] = min(lowlink[parent], lowlink[node])
            if lowlink[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return sorted(cycles)


def imports_anywhere(source_root: Path, imported_prefix: str) -> dict[str, set[str]]:
    """Module -> the modules under ``imported_prefix`` it imports anywhere (function bodies included)."""
    modules = find_modules(source_root)
    found: dict[str, set[str]] = {}
    for name, module in modules.items():
        tree = ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))
        hits = {
            target
            for statement in _all_imports(tree)
            for target in _targets(statement, module, modules)
            if target == imported_prefix or target.startswith(imported_prefix + ".")
        }
        if hits:
            found[name] = hits
    return found


def main(argv: list[str] | None = None) -> int:
    source_root = Path((argv or sys.argv[1:] or ["src"])[0])
    cycles = import_cycles(import_graph(source_root))
    for cycle in cycles:
        print(" <-> ".join(cycle))
    return 1 if cycles else 0


if __name__ == "__main__":
    raise SystemExit(main())
