"""The shape modules stay numpy-only, so the command line can import them without numba."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kernels

PACKAGE = Path(kernels.__file__).parent


def _imports(module: str) -> set[str]:
    """Top-level names a kernels module imports; its relative imports followed through."""
    seen, todo, found = set(), [module], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        tree = ast.parse((PACKAGE / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # from .x import y
                    todo.append(node.module)
                elif node.module.split(".")[0] == "kernels":  # the older absolute form
                    todo.append(node.module.split(".")[1])
                else:
                    found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("module", ["shape", "network_any", "reference_any"])
def test_shape_modules_import_numpy_but_not_numba(module):
    imports = _imports(module)
    assert "numpy" in imports
    assert not imports & {"numba", "llvmlite"}
