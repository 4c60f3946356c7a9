"""The shape of the code: imports only point down (no cycle anywhere), and modules stay short.

The import graph is read from the source with `ast`, not from `sys.modules`: every import
statement counts, at module level or inside a function, and so does
`importlib.import_module(...)` with a literal name. An f-string with a literal start, such as
`f"nnwork.commands.{name}"`, counts as an import of every module under that start, and a
computed name (the façade's table of lazy attributes) as an import of every module whose name
the file writes as a string literal: hiding an import behind importlib does not hide it. `from x
import y` is an import of the submodule `x.y` when there is one, else of `x`; relative imports
are resolved against the importing module's package. Importing `a.b.c` runs the packages `a`
and `a.b` first, but those implicit parent imports are not edges: a package's `__init__` that
re-exports its own submodules would otherwise be a "cycle" with each of them. Imports under
`if TYPE_CHECKING:` never run and are not edges either (they name types for the type checker).

The size rule: no module over MAX_LINES lines unless the first lines of its docstring say why,
in a sentence with the words "Longer than" (e.g. "Longer than 300 lines: the Tensor's whole
method surface, one line each, is one idea"). That `import nnwork` never imports matplotlib is
checked in tests/test_tensor.py (with the other parts it must not load).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "nnwork"
MAX_LINES = 320
REASON = "Longer than"
REASON_WITHIN = 15  # the reason must be in this many first lines of the module docstring


# ---- the graph ------------------------------------------------------------------------------------
def module_names(root: Path, package: str) -> dict[str, Path]:
    """{dotted module name: file} for every .py file of the package at `root / package`."""
    names = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _imported(node: ast.AST, importer: str, is_package: bool, known: set[str], named: list[str]) -> list[str]:
    """The modules of `known` that the statement or call `node` imports (`named`: the module
    names the importer writes as string literals, which a computed import_module may load)."""
    def within(name: str) -> str | None:  # the longest known module `name` is in
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    if isinstance(node, ast.Import):
        return [m for alias in node.names if (m := within(alias.name))]
    if isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            package = importer if is_package else importer.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        found = []
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            found.append(submodule if submodule in known else within(base))
        return [m for m in found if m]
    if isinstance(node, ast.Call) and node.args and _is_import_module(node.func):
        name = node.args[0]
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            return [m for m in [within(name.value)] if m]
        if isinstance(name, ast.JoinedStr) and name.values and isinstance(name.values[0], ast.Constant):
            start = str(name.values[0].value)
            return sorted(m for m in known if m.startswith(start) and m != importer)
        return named  # a computed name: any module this file names may be the one
    return []


def _is_import_module(func: ast.expr) -> bool:
    if isinstance(func, ast.Attribute):
        return func.attr == "import_module" and isinstance(func.value, ast.Name) and func.value.id == "importlib"
    return isinstance(func, ast.Name) and func.id == "import_module"


def _run_time_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of `tree` except those under `if TYPE_CHECKING:` (which never runs)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
        else:
            stack.extend(ast.iter_child_nodes(node))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """{module: the modules of the package it imports}, for the package at `root / package`."""
    files = module_names(root, package)
    known = set(files)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        nodes = list(_run_time_nodes(tree))
        named = sorted({node.value for node in nodes
                        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in known})
        edges = {m for node in nodes for m in _imported(node, name, is_package, known, named)}
        graph[name] = edges - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Cycles [a, b, …, a]: in every strongly connected group of modules (Tarjan), a shortest
    one through each member."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(start: str) -> None:  # iterative, so a long chain cannot hit the recursion limit
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    found = []
    for group in sorted(groups):  # a shortest cycle through each member, each cycle once
        for member in group:
            cycle = _cycle_in(graph, set(group), member)
            first = cycle.index(min(cycle))
            cycle = cycle[first:-1] + cycle[:first] + [cycle[first]]
            if cycle not in found:
                found.append(cycle)
    return found


def _cycle_in(graph: dict[str, set[str]], group: set[str], start: str) -> list[str]:
    """A shortest path start → … → start inside `group` (breadth first)."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & group):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), start]
                if child not in came_from:
                    came_from[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"{start} is in no cycle of {sorted(group)}")


# ---- the rules on nnwork ----------------------------------------------------------------------------
def test_the_import_graph_of_nnwork_has_no_cycle() -> None:
    found = cycles(import_graph(SRC, PACKAGE))
    assert not found, "import cycles (each arrow: imports):\n" + "\n".join(" → ".join(c) for c in found)


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The module graph seen from one level down: `nnwork.plot.explain` counts as `nnwork.plot`,
    so two packages that import each other through different modules are a cycle too."""
    def part(module: str) -> str:
        return ".".join(module.split(".")[:2])

    collapsed: dict[str, set[str]] = {}
    for module, imported in graph.items():
        collapsed.setdefault(part(module), set()).update(part(m) for m in imported if part(m) != part(module))
    return collapsed


def test_the_parts_of_nnwork_import_each_other_without_a_cycle() -> None:
    """E.g. plot drawing with explain's functions while explain's tour draws with plot."""
    found = cycles(package_graph(import_graph(SRC, PACKAGE)))
    assert not found, "cycles between the parts (each arrow: imports):\n" + "\n".join(" → ".join(c) for c in found)


def test_no_module_is_long_without_saying_why() -> None:
    long = []
    for name, path in module_names(SRC, PACKAGE).items():
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n") + (not text.endswith("\n"))
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if lines > MAX_LINES and REASON not in "\n".join(docstring.splitlines()[:REASON_WITHIN]):
            long.append(f"{name}: {lines} lines")
    assert not long, (f"modules over {MAX_LINES} lines whose docstring does not say why "
                      f"(a sentence with {REASON!r} in its first {REASON_WITHIN} lines): {long}")


# ---- the graph builder itself, on small made-up packages -------------------------------------------------
def write_package(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_graph_reads_every_kind_of_import(tmp_path: Path) -> None:
    write_package(tmp_path, {
        "pkg/__init__.py": "from pkg.core import VALUE as VALUE\n",
        "pkg/core.py": "VALUE = 1\n",
        "pkg/helpers.py": "from pkg import core\nfrom . import VALUE\n",            # a submodule; the package
        "pkg/sub/__init__.py": "from .leaf import name\n",                           # relative, in a package
        "pkg/sub/leaf.py": "from ..core import VALUE\nimport pkg.helpers as h\nname = 1\n",
        "pkg/late.py": "def f():\n    import importlib\n    return importlib.import_module('pkg.sub.leaf')\n",
        "pkg/plugins/__init__.py": "",
        "pkg/plugins/one.py": "",
        "pkg/plugins/two.py": "",
        "pkg/loader.py": "import importlib\ndef load(n):\n    return importlib.import_module(f'pkg.plugins.{n}')\n",
        "pkg/outside.py": "import os\nimport numpy\nfrom typing import Any\n",
        "pkg/lazy.py": "import importlib\nTABLE = {'a': 'pkg.core', 'b': 'os.path'}\n"
                       "def get(key):\n    return importlib.import_module(TABLE[key])\n",
    })
    graph = import_graph(tmp_path, "pkg")
    assert graph == {
        "pkg": {"pkg.core"},
        "pkg.core": set(),
        "pkg.helpers": {"pkg.core", "pkg"},
        "pkg.sub": {"pkg.sub.leaf"},
        "pkg.sub.leaf": {"pkg.core", "pkg.helpers"},
        "pkg.late": {"pkg.sub.leaf"},
        "pkg.plugins": set(),
        "pkg.plugins.one": set(),
        "pkg.plugins.two": set(),
        "pkg.loader": {"pkg.plugins.one", "pkg.plugins.two"},
        "pkg.outside": set(),
        "pkg.lazy": {"pkg.core"},
    }
    assert cycles(graph) == []
    assert package_graph(graph)["pkg.sub"] == {"pkg.core", "pkg.helpers"}
    assert cycles(package_graph(graph)) == []


def test_cycles_are_found_through_function_level_and_importlib_imports(tmp_path: Path) -> None:
    write_package(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg import b\n",
        "pkg/b.py": "def later():\n    from pkg.c import thing\n",
        "pkg/c.py": "import importlib\nthing = importlib.import_module('pkg.a')\n",
        "pkg/d.py": "from . import e\n",
        "pkg/e.py": "from .d import x\n",
        "pkg/fine.py": "from pkg import a, d\n",
        "pkg/typed.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.fine import x\n",
        "pkg/types_only.py": "import typing\nfrom pkg import typed\nif typing.TYPE_CHECKING:\n    import pkg.typed\n"
                             "else:\n    import pkg.fine\n",
    })
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.typed"] == set() and graph["pkg.types_only"] == {"pkg.typed", "pkg.fine"}
    found = cycles(graph)
    assert found == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"], ["pkg.d", "pkg.e", "pkg.d"]]


def test_cycles_between_packages_through_different_modules(tmp_path: Path) -> None:
    write_package(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/plot/__init__.py": "",
        "pkg/plot/pictures.py": "from pkg.explain.numbers import judge\n",
        "pkg/explain/__init__.py": "",
        "pkg/explain/numbers.py": "judge = 1\n",
        "pkg/explain/tour.py": "def run():\n    from pkg.plot import pictures\n",
    })
    graph = import_graph(tmp_path, "pkg")
    assert cycles(graph) == []  # no module is in a cycle ...
    assert cycles(package_graph(graph)) == [["pkg.explain", "pkg.plot", "pkg.explain"]]  # ... but the parts are
