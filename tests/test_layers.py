"""The package's shape (issue 10): a pure core, outer layers in folders, no import cycles.

Every module's imports are read from its syntax tree, including imports inside
functions (which run later, but still tie the modules together), so a cycle
cannot hide behind a lazy import.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path


PACKAGE = Path(__file__).resolve().parent.parent / "planner"
#: The pure core: flat modules at the top of the package.
CORE = {"money", "debt", "errors", "i18n", "datafiles", "rates", "references", "strategies", "engine", "result", "negotiation", "conduct", "display", "privacy", "calendar", "budget", "offers", "claims", "latefees"}
#: The outer layers, each a folder.
LAYERS = {"io", "batch", "cases", "report", "charts", "widgets", "cli"}
#: The front door: the package's __init__, ``python -m planner`` and api.py may import any layer.
FRONT = {"planner", "planner.__main__", "planner.api"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """``(module imported, names taken from it)`` for every import statement in the file."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names if a.name.startswith("planner")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("planner"):
                continue
            names = [a.name for a in node.names]
            # "from . import charts" imports a module: record it as such
            modules = [f"{target}.{n}" for n in names if (PACKAGE.parent / f"{target}.{n}".replace(".", "/")).exists()
                       or (PACKAGE.parent / (f"{target}.{n}".replace(".", "/") + ".py")).exists()]
            out += [(m, []) for m in modules]
            rest = [n for n in names if f"{target}.{n}" not in modules]
            if rest:
                out.append((target, rest))
    return out


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _home(module: str) -> str:
    """The room a module lives in: ``core``, a layer's folder name, or ``front``."""
    if module in FRONT:
        return "front"
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in LAYERS:
        return parts[1]
    if len(parts) >= 2 and parts[1] in CORE:
        return "core"
    return "other:" + module


def _resolve(target: str) -> str:
    """The module a dotted import target names (a name inside a module resolves to the module)."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target


def test_every_module_has_a_room():
    assert not [m for m in MODULES if _home(m).startswith("other")]


def test_the_core_imports_no_outer_layer():
    bad = []
    for module, path in MODULES.items():
        if _home(module) != "core":
            continue
        for target, _ in _imports(path):
            if _home(_resolve(target)) != "core":
                bad.append(f"{module} imports {target}")
    assert bad == []


def test_no_private_name_crosses_a_folder():
    bad = []
    for module, path in MODULES.items():
        home = _home(module)
        for target, names in _imports(path):
            resolved = _resolve(target)
            if _home(resolved) == home and home != "front":
                continue
            private = [n for n in names if n.startswith("_") and n != "__version__"]
            private_module = [p for p in resolved.split(".")[1:] if p.startswith("_") and p != "__init__"]
            if private or private_module:
                bad.append(f"{module} takes {private or private_module} from {resolved}")
    assert bad == []


def test_no_import_cycle():
    graph = {m: {_resolve(t) for t, _ in _imports(p)} - {m} for m, p in MODULES.items()}
    # A package's __init__ re-exporting its own modules is not a cycle of ideas: a module
    # importing its package's public names from __init__ is what would close a loop.
    index = {m: k for k, m in enumerate(graph)}
    low, stack, on_stack, cycles, counter = {}, [], set(), [], [0]

    def visit(v):  # Tarjan's strongly connected components
        index_v = low[v] = counter[0]
        counter[0] += 1
        order[v] = index_v
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in order:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], order[w])
        if low[v] == order[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    order: dict[str, int] = {}
    for v in index:
        if v not in order:
            visit(v)
    assert cycles == []


#: The fields of the engine's private schedule (``planner.result._Columns``): no DataFrame has them.
_PLAN_COLUMN_FIELDS = {"month", "debt", "opening", "interest", "payment", "closing", "fees", "forgiven",
                       "payoff", "start_owed", "end_owed", "lump", "unspent", "months_run"}
#: Modules allowed to read ``Plan.columns``: the engine that fills it and the result that wraps it.
_PLAN_COLUMNS_READERS = {"planner.engine", "planner.result"}


def _plan_columns_reads(tree: ast.AST) -> list[int]:
    """Lines reading ``x.columns.<field>``, or ``c = x.columns`` then ``c.<field>`` (a Plan's private columns)."""
    lines = []
    for scope in [n for n in ast.walk(tree) if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef))]:
        aliases = set()
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Attribute) and node.value.attr == "columns":
                aliases |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        for node in ast.walk(scope):
            if not isinstance(node, ast.Attribute) or node.attr not in _PLAN_COLUMN_FIELDS:
                continue
            inner = node.value
            if (isinstance(inner, ast.Attribute) and inner.attr == "columns") or (isinstance(inner, ast.Name) and inner.id in aliases):
                lines.append(node.lineno)
    return sorted(set(lines))


def test_only_the_engine_and_result_read_plan_columns():
    bad = [f"{m}:{line}" for m, p in MODULES.items() if m not in _PLAN_COLUMNS_READERS
           for line in _plan_columns_reads(ast.parse(p.read_text("utf-8")))]
    assert bad == []


def test_the_plan_columns_check_finds_a_read():
    code = "def f(plan):\n    c = plan.columns\n    return c.payment, plan.columns.lump, frame.columns.tolist()\n"
    assert _plan_columns_reads(ast.parse(code)) == [3]
    code = "def f(plan):\n    c = plan.columns\n    return c.payment\n"
    assert _plan_columns_reads(ast.parse(code)) == [3]


def test_every_public_module_declares_all():
    missing = []
    for module, path in MODULES.items():
        if any(part.startswith("_") for part in module.split(".")[1:]):
            continue
        tree = ast.parse(path.read_text("utf-8"))
        declared = [n for n in tree.body if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in n.targets)]
        if not declared:
            missing.append(module)
            continue
        names = ast.literal_eval(declared[-1].value)
        loaded = importlib.import_module(module)
        unknown = [x for x in names if not hasattr(loaded, x)]
        assert not unknown and len(names) == len(set(names)), (module, unknown)
    assert missing == []
