"""No private name of a third-party library in ``planner/`` (issue 25).

A library's private names (``RendererAgg._renderer``, ``Axis._major_tick_kw``,
``Axes._update_title_position``, ``ddf._meta``, ``from pandas._libs import ...``) change
without notice in its next release. Every module of the package is read from its syntax
tree, and every ``x._name`` (one leading underscore, not a dunder) must name something
planner itself defines: a function, class, module or class-level name, or an attribute a
planner class sets on ``self``. A name only a library defines is reported as
``file:line: name``. Also reported: private names imported from another package
(``from pkg._x import y``, ``from pkg import _y``) and ``getattr(x, "_name")``-style
look-ups of a name planner does not define.

A planner class that subclasses a library's class (a widget, a canvas) can only claim the
``self._x`` it sets in its own ``__init__``: one it sets elsewhere may be the library's
(``self._renderer = ...`` in a ``RendererAgg`` subclass replaced matplotlib's own).
"""

from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "planner"

#: Public by protocol despite the underscore: IPython's rich display (``_repr_html_``,
#: ``_repr_mimebundle_``, ``_ipython_display_``), which planner's result objects implement.
PROTOCOL = re.compile(r"^_(repr_\w+|ipython_\w+)_$")


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and not PROTOCOL.match(name)


def _trees(root: Path) -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text("utf-8"), filename=str(path)) for path in sorted(root.rglob("*.py"))}


def _class_names(trees) -> set[str]:
    return {node.name for tree in trees.values() for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}


def _own_bases(node: ast.ClassDef, classes: set[str]) -> bool:
    """Whether every base of ``node`` is a planner class or a builtin (``object``, ``ValueError``...)."""
    return all(isinstance(base, ast.Name) and (base.id in classes or hasattr(builtins, base.id)) for base in node.bases)


def _targets(node) -> list:
    if isinstance(node, ast.Assign):
        return node.targets
    if isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        return [node.target]
    return []


def _flat(targets):
    for target in targets:
        if isinstance(target, (ast.Tuple, ast.List)):
            yield from _flat(target.elts)
        elif isinstance(target, ast.Starred):
            yield from _flat([target.value])
        else:
            yield target


def defined_names(trees) -> tuple[set[str], set[str]]:
    """The names planner defines, as ``(attributes, module_names)``.

    ``attributes``: functions, classes (at any level), class-level names, and what planner
    classes set on ``self``/``cls`` (see the module docstring for subclasses of a library's
    class). ``module_names``: module-level names and the modules themselves, which count only
    when reached through a planner module (``store._meta``, never ``ddf._meta``).
    """
    classes = _class_names(trees)
    attributes: set[str] = set()
    module_names: set[str] = set()
    for path, tree in trees.items():
        module_names.add(path.stem)  # a module, reached as an attribute of its package
        module_names.update(t.id for stmt in tree.body for t in _flat(_targets(stmt)) if isinstance(t, ast.Name))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                attributes.add(node.name)
            if isinstance(node, ast.ClassDef):
                attributes.update(t.id for stmt in node.body for t in _flat(_targets(stmt)) if isinstance(t, ast.Name))
                own = _own_bases(node, classes)
                for method in node.body:
                    if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) or not method.args.args:
                        continue
                    if not own and method.name != "__init__":
                        continue
                    first = method.args.args[0].arg
                    for stmt in ast.walk(method):
                        for t in _flat(_targets(stmt)):
                            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == first:
                                attributes.add(t.attr)
    return attributes, module_names


def _outside(module: str | None, level: int) -> bool:
    return level == 0 and module is not None and module.split(".")[0] != "planner"


def _planner_modules(tree) -> set[str]:
    """The names a file binds to planner modules (``from . import store``, ``import planner.x as y``)."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and not _outside(node.module, node.level):
            bound.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Import):
            bound.update(a.asname or a.name.split(".")[0] for a in node.names if not _outside(a.name, 0))
    return bound


def _root(node) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def private_uses(root: Path = PACKAGE) -> list[str]:
    """``file:line: name`` for each private name of another package used under ``root``."""
    trees = _trees(root)
    attributes, module_names = defined_names(trees)
    found = []
    for path, tree in trees.items():
        where = path.relative_to(root.parent)
        modules = _planner_modules(tree)

        def known(name, owner=None):
            return name in attributes or (name in module_names and _root(owner) in modules)

        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Attribute) and _private(node.attr) and not known(node.attr, node.value):
                names.append(node.attr)
            elif isinstance(node, ast.ImportFrom) and _outside(node.module, node.level):
                names += [part for part in node.module.split(".") if _private(part)]
                names += [a.name for a in node.names if _private(a.name)]
            elif isinstance(node, ast.Import):
                names += [part for a in node.names if _outside(a.name, 0) for part in a.name.split(".") if _private(part)]
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                  and node.func.id in ("getattr", "hasattr", "setattr", "delattr") and len(node.args) >= 2
                  and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
                  and _private(node.args[1].value) and not known(node.args[1].value, node.args[0])):
                names.append(node.args[1].value)
            found += [f"{where}:{node.lineno}: {name}" for name in names]
    return sorted(found, key=lambda entry: (entry.split(":")[0], int(entry.split(":")[1]), entry))


def test_no_private_name_of_another_library_in_planner():
    assert private_uses() == []


def test_no_planner_class_overrides_a_private_name_of_its_library_base():
    # A planner subclass of a library's class (a widget, a canvas) that defines a private name
    # of that class replaces the library's own (agg.py's _get_font_height_metrics did).
    import importlib

    trees = _trees(PACKAGE)
    classes = _class_names(trees)
    found = []
    for path, tree in trees.items():
        subclasses = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and not _own_bases(n, classes)]
        if not subclasses:
            continue
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        module = importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
        for node in subclasses:
            cls = getattr(module, node.name, None)
            if not isinstance(cls, type):  # defined inside a function: its bases are checked above by name
                continue
            library = [k for k in cls.__mro__ if not k.__module__.startswith("planner")]
            own = {stmt.name for stmt in node.body if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))}
            own.update(t.id for stmt in node.body for t in _flat(_targets(stmt)) if isinstance(t, ast.Name))
            found += [f"{path.name}: {node.name}.{name}" for name in sorted(own)
                      if _private(name) and any(name in vars(k) for k in library)]
    assert found == []


def test_the_check_finds_private_names(tmp_path):
    # What the widgets' canvas did before issue 25, and the other ways in: it must be caught.
    package = tmp_path / "planner"
    package.mkdir()
    (package / "canvas.py").write_text(
        "from matplotlib.backends.backend_agg import RendererAgg\n"
        "from pandas._libs import lib\n"
        "import numpy._core\n"
        "class Caching(RendererAgg):\n"
        "    def __init__(self):\n"
        "        self._glyphs = {}\n"
        "    def draw_text(self):\n"
        "        self._renderer = None\n"
        "        return self._glyphs\n"
        "class Own:\n"
        "    def later(self):\n"
        "        self._mine = 1\n"
        "_meta = {}\n"
        "def title(ax, axis, ddf):\n"
        "    ax._update_title_position = None\n"
        "    own = Own()\n"
        "    return axis._major_tick_kw, getattr(ddf, '_meta'), ddf._meta, own._mine, ax._repr_html_()\n",
        "utf-8")
    assert private_uses(package) == [
        "planner/canvas.py:2: _libs", "planner/canvas.py:3: _core", "planner/canvas.py:8: _renderer",
        "planner/canvas.py:15: _update_title_position", "planner/canvas.py:17: _major_tick_kw",
        "planner/canvas.py:17: _meta", "planner/canvas.py:17: _meta",
    ]
