"""The package's layout, as README's Layout section describes it: imports
flow one way (cli and web above engine, above index and query, above
whoosh_ext, with domain and analysis below them), web and cli meet only in
the serve command, only web/ imports the web stack, there is no import
cycle, and whoosh_ext/ is the one door to Whoosh's internals (the pinned
release, no private Whoosh name used anywhere else)."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from sagashi.whoosh_ext import WHOOSH_VERSION, installed_whoosh_version

from .conftest import REPO, WEB_STACK

SRC = REPO / "src" / "sagashi"


def test_the_installed_whoosh_is_the_pinned_release():
    installed = installed_whoosh_version()
    assert installed == WHOOSH_VERSION, (
        f"Whoosh {'.'.join(map(str, installed))} is installed, but sagashi.whoosh_ext relies on "
        f"the internals of {'.'.join(map(str, WHOOSH_VERSION))}: install whoosh-reloaded=="
        f"{'.'.join(map(str, WHOOSH_VERSION))}, or check every private name listed in "
        "sagashi/whoosh_ext/__init__.py against the new release and update WHOOSH_VERSION")


def _whoosh_imports(path: Path) -> list[tuple[str, str]]:
    """``(module, name)`` of every ``from whoosh... import name`` in a file,
    and ``(module, "")`` for ``import whoosh...``."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            out += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            out += [(alias.name, "") for alias in node.names if alias.name.startswith("whoosh")]
    return out


def test_only_whoosh_ext_touches_whoosh_internals():
    offenders = []
    for path in SRC.rglob("*.py"):
        if "whoosh_ext" in path.parts:
            continue
        for module, name in _whoosh_imports(path):
            if name.startswith("_") or any(part.startswith("_") for part in module.split(".")) \
                    or module.startswith("whoosh.codec") or module.startswith("whoosh.matching"):
                offenders.append(f"{path.relative_to(SRC)}: from {module} import {name}")
        text = path.read_text(encoding="utf-8")
        for private in ("._perdoc", "._terms", "._lenfield", "._tree_matcher", "._finalize_segment",
                        "._added", "._fieldlengths", "._cached_reader"):
            if private in text:
                offenders.append(f"{path.relative_to(SRC)}: uses {private}")
    assert not offenders, "private Whoosh API outside sagashi/whoosh_ext: " + "; ".join(offenders)


def _private_names(path: Path) -> tuple[set[str], set[str]]:
    """The ``_names`` a file reads as attributes (``x._name``, also through
    ``getattr(x, "_name")``), and those it defines itself (functions,
    classes, attributes it assigns)."""
    used: set[str] = set()
    defined: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                and not node.attr.startswith("__"):
            (defined if isinstance(node.ctx, ast.Store) else used).add(node.attr)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "getattr" \
                and len(node.args) > 1 and isinstance(node.args[1], ast.Constant) \
                and str(node.args[1].value).startswith("_") \
                and not str(node.args[1].value).startswith("__"):
            used.add(str(node.args[1].value))
    return used, defined


def test_whoosh_ext_lists_the_private_names_it_uses():
    """Every ``_name`` read in sagashi/whoosh_ext that sagashi does not
    define itself is Whoosh's, and is named in the package docstring."""
    import sagashi.whoosh_ext as ext
    used: set[str] = set()
    defined: set[str] = set()
    for path in (SRC / "whoosh_ext").rglob("*.py"):
        u, d = _private_names(path)
        used |= u
        defined |= d
    unlisted = sorted(name for name in used - defined if name not in (ext.__doc__ or ""))
    assert not unlisted, ("sagashi/whoosh_ext uses Whoosh's private names that its docstring "
                          "does not list: " + ", ".join(unlisted))


#: Layers, lowest first: a module may import its own layer and those below.
#: errors, results, validate and files stand beside everything. cli and web
#: stand side by side; see the tests below for how they may meet.
LAYERS = {"analysis": 0, "domain": 1, "whoosh_ext": 2, "index": 3, "query": 3,
          "engine": 4, "cli": 5, "web": 5}
BESIDE = {"errors", "results", "validate", "files", "__init__", "__main__"}
#: What the modules beside everything may import: each other, and the two
#: layers below all others (results hands out domain records, validate
#: checks language codes), so that nothing they import can import them back.
BESIDE_MAY_IMPORT = {"errors", "results", "validate", "files", "analysis", "domain"}


def _imports(path: Path, nodes: Iterable[ast.AST]) -> list[str]:
    """The sagashi modules imported by the import statements among
    ``nodes`` of the file at ``path``, as dotted names below sagashi,
    relative imports resolved."""
    package = path.relative_to(SRC).with_suffix("").parts[:-1]
    out = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(package[:len(package) - node.level + 1])
            if node.module:
                out.append(".".join(base + node.module.split(".")))
            else:
                out += [".".join(base + [alias.name]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sagashi."):
            out.append(node.module[len("sagashi."):])
    return out


def _sagashi_imports(path: Path, top_level_only: bool) -> list[str]:
    """The sagashi modules a file imports; with ``top_level_only``, only
    the imports that run when the module is imported (not those inside
    functions or under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return _imports(path, tree.body if top_level_only else ast.walk(tree))


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(path: Path) -> str:
    """The top-level package or module a file belongs to (``query``, ``engine``)."""
    return path.relative_to(SRC).parts[0].removesuffix(".py")


def test_imports_flow_one_way():
    """cli and web -> engine -> index / query -> whoosh_ext, with analysis
    and domain below them: no module imports from a layer above its own,
    and index and query do not import each other."""
    offenders = []
    for path in SRC.rglob("*.py"):
        layer = _layer(path)
        if layer in BESIDE:
            continue
        for target in _sagashi_imports(path, top_level_only=False):
            target_layer = target.split(".")[0]
            if target_layer in LAYERS and (LAYERS[target_layer] > LAYERS[layer] or
                                           {layer, target_layer} == {"index", "query"}):
                offenders.append(f"{_module_name(path)} imports {target}")
    assert not offenders, "imports against the layering: " + "; ".join(sorted(set(offenders)))


def test_the_modules_beside_everything_import_only_the_lowest_layers():
    offenders = [f"{_module_name(path)} imports {target}"
                 for path in SRC.glob("*.py") if _layer(path) in BESIDE - {"__init__", "__main__"}
                 for target in _sagashi_imports(path, top_level_only=False)
                 if target.split(".")[0] not in BESIDE_MAY_IMPORT]
    assert not offenders, "; ".join(offenders)


def test_web_and_cli_meet_only_in_the_serve_command():
    """The web package never imports the CLI, and the CLI imports the web
    package only inside the serve command (``cmd_serve``), so that the web
    stack costs the other commands nothing."""
    offenders = []
    served: list[str] = []
    for path in SRC.rglob("*.py"):
        layer = _layer(path)
        if layer == "web":
            offenders += [f"{_module_name(path)} imports {t}"
                          for t in _sagashi_imports(path, top_level_only=False)
                          if t.split(".")[0] == "cli"]
        elif layer == "cli":
            tree = ast.parse(path.read_text(encoding="utf-8"))
            serve = {n for f in tree.body if isinstance(f, ast.FunctionDef)
                     and f.name == "cmd_serve" for n in ast.walk(f)}
            served += _imports(path, serve)
            offenders += [f"{_module_name(path)} imports {t} outside cmd_serve"
                          for t in _imports(path, (n for n in ast.walk(tree) if n not in serve))
                          if t.split(".")[0] == "web"]
    assert not offenders, "; ".join(offenders)
    assert any(t.startswith("web.") for t in served), "cmd_serve no longer imports sagashi.web"


def test_only_the_web_package_imports_the_web_stack():
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.relative_to(SRC).parts[0] == "web":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level \
                else []
            offenders += [f"{_module_name(path)} imports {n}" for n in names
                          if n.split(".")[0] in WEB_STACK]
    assert not offenders, "; ".join(offenders)


def test_no_import_cycles():
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        graph[_module_name(path)] = set(_sagashi_imports(path, top_level_only=True))
    modules = set(graph)
    edges = {m: {t for t in targets if t in modules and t != m} for m, targets in graph.items()}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in edges[node]:
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join(trail[trail.index(nxt):]
                                                                     + [node, nxt]))
            if nxt not in state:
                visit(nxt, trail + [node])
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [])


# -- the tests' own layout ------------------------------------------------------------

def _test_modules_imported(path: Path) -> list[str]:
    """The test modules (``test_*``) a file under tests/ imports, relatively
    or as ``tests.test_x``."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.level or
                                                 (node.module or "").startswith("tests")):
            names = [node.module] if node.module else [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.startswith("tests")]
        else:
            continue
        out += [n for n in names if any(p.startswith("test_") for p in n.split("."))]
    return out


def test_tests_share_code_through_conftest_and_helper_modules():
    """Shared fixtures and helpers live in conftest.py or in helper modules
    that hold no tests (tests/hostile_input.py, tests/own_data.py ...), never
    in a test module that others import: editing or removing one test
    module would break another, and importing it runs its module-level
    code (skips, fixtures, data) in the other."""
    offenders = [f"{path.relative_to(REPO)} imports {name}"
                 for path in (REPO / "tests").rglob("*.py")
                 for name in _test_modules_imported(path)]
    assert not offenders, ("move what is shared into conftest.py or a helper module: "
                           + "; ".join(offenders))
