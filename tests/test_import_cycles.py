"""No import cycles among the modules of gateway/ and resolvers/.

The graph is built from the source files with `ast` (nothing is imported). An edge is
every `import` / `from ... import` of a gateway or resolvers module, at module level *and*
inside functions: a function-level import only defers a cycle to call time, the two
modules still depend on each other, and the cycles this test was written against ran
through one (the REST runner's lazy import of the schema). Imports under
`if TYPE_CHECKING:` never run and do not count. `from pkg import name` is an edge to the
submodule `pkg.name` when there is one, else to the package `pkg`.

The layering it keeps (README, "Code layout"): gateway core (config, db, errors, models,
per-domain repositories/loaders/services, job service) <- resolvers/ (the schema) <- the
REST shim, the job producers and worker, the console, the app and the CLI. Where a lower
layer must call an upper one it names it instead of importing it: the job service finds
a kind's producer through `gateway.jobs.kinds.PRODUCERS`.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("gateway", "resolvers")


def _module_files() -> dict[str, Path]:
    files: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            files[".".join(parts)] = path
    return files


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str, path: Path, known: dict[str, Path]) -> dict[str, int]:
    """The modules of `known` that `module` imports, each with the line of its first import."""

    def owner(name: str) -> str | None:  # the innermost known module `name` is in
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: dict[str, int] = {}

    def add(target: str | None, line: int) -> None:
        if target is not None and target != module:
            found.setdefault(target, line)

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(ast.Module(body=[other], type_ignores=[]))
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    add(owner(alias.name), child.lineno)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")
                    parts = parts[: len(parts) - child.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                for alias in child.names:
                    sub = f"{base}.{alias.name}"
                    add(sub if sub in known else owner(base), child.lineno)
            visit(child)

    visit(ast.parse(path.read_text(), filename=str(path)))
    return found


def import_graph() -> dict[str, dict[str, int]]:
    known = _module_files()
    return {module: _imports(module, path, known) for module, path in known.items()}


def find_cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One cycle (a closed path of modules) per strongly connected component (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(component)

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return [_cycle_in(graph, component) for component in components]


def _cycle_in(graph: dict[str, dict[str, int]], component: set[str]) -> list[str]:
    """The shortest path from the component's first module back to itself."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph[v]):
            if w == start:
                return [*paths[v], start]
            if w in component and w not in paths:
                paths[w] = [*paths[v], w]
                queue.append(w)
    raise AssertionError("a strongly connected component always holds a cycle")


def describe(graph: dict[str, dict[str, int]], cycle: list[str]) -> str:
    return "\n".join(
        f"  {a} (line {graph[a][b]}) imports {b}" for a, b in zip(cycle, cycle[1:], strict=False)
    )


def test_no_import_cycles() -> None:
    graph = import_graph()
    cycles = find_cycles(graph)
    report = "\n\n".join(describe(graph, c) for c in cycles)
    assert not cycles, f"{len(cycles)} import cycle(s) in gateway/ and resolvers/:\n{report}"


def test_the_graph_sees_function_level_imports() -> None:
    graph = import_graph()
    # `gateway.rest.runner` imports the schema inside `run_operation` only.
    assert "resolvers.schema" in graph["gateway.rest.runner"]
    # and the app its routers inside `_routers`
    assert "gateway.ingest.endpoints" in graph["gateway.app"]


def test_a_cycle_is_reported_with_its_lines() -> None:
    graph = {"a": {"b": 3}, "b": {"c": 5}, "c": {"a": 7}, "d": {"a": 1}}
    assert find_cycles(graph) == [["a", "b", "c", "a"]]
    assert describe(graph, ["a", "b", "c", "a"]) == (
        "  a (line 3) imports b\n  b (line 5) imports c\n  c (line 7) imports a"
    )
