"""The layers: kernels/ is a leaf that imports nothing from the rest of beans."""

from __future__ import annotations

import ast
from pathlib import Path

import beans.kernels


def _imports(path: Path) -> list[tuple[int, str]]:
    """(relative level, module) of every import in ``path``; level 0 for absolute imports."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or ""))
        elif isinstance(node, ast.Import):
            found += [(0, alias.name) for alias in node.names]
    return found


def test_kernels_import_nothing_from_the_rest_of_beans():
    folder = Path(beans.kernels.__file__).parent
    files = sorted(folder.glob("*.py"))
    assert len(files) > 5
    for path in files:
        for level, module in _imports(path):
            assert level <= 1, f"{path.name} climbs out of kernels/: {'.' * level}{module}"
            assert module.split(".")[0] != "beans" or module.startswith("beans.kernels"), f"{path.name}: {module}"
