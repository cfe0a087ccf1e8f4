"""The one door to Whoosh's internals: the pinned version, and no private
Whoosh name used anywhere else."""

from __future__ import annotations

import ast
from pathlib import Path

from sagashi.whoosh_ext import WHOOSH_VERSION, installed_whoosh_version

SRC = Path(__file__).resolve().parents[1] / "src" / "sagashi"


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
        for private in ("._perdoc", "._lenfield", "._tree_matcher", "._finalize_segment"):
            if private in text:
                offenders.append(f"{path.relative_to(SRC)}: uses {private}")
    assert not offenders, "private Whoosh API outside sagashi/whoosh_ext: " + "; ".join(offenders)


def test_imports_flow_one_way():
    """cli -> engine -> index / query -> whoosh_ext, with analysis and domain
    below them: no module imports from a layer above its own."""
    rank = {"analysis": 0, "domain": 1, "whoosh_ext": 2, "index": 3, "query": 3,
            "engine": 4, "cli": 5}
    # modules beside everything, importable from any layer
    beside = {"errors", "results", "validate", "files", "__init__"}
    offenders = []
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        layer = parts[0]
        if layer in beside or layer == "__main__":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.level:
                continue
            package = parts[:-1] if len(parts) > 1 else ()
            base = list(package[:len(package) - node.level + 1]) if node.level <= len(package) \
                else []
            target = (base + (node.module or "").split("."))[:1] or \
                [alias.name for alias in node.names][:1]
            target_layer = target[0] if target[0] else node.names[0].name
            if target_layer in rank and rank[target_layer] > rank[layer]:
                offenders.append(f"{'/'.join(parts)} imports {target_layer}")
            if layer == "index" and target_layer == "query" or \
                    layer == "query" and target_layer == "index":
                offenders.append(f"{'/'.join(parts)} imports {target_layer}")
    assert not offenders, "imports against the layering: " + "; ".join(sorted(set(offenders)))
