"""The shape module stays numpy-only, so the command line parses --hidden without loading numba."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_shape_loads_neither_numba_nor_llvmlite():
    code = (
        "import sys; from beans.kernels.shape import Shape, parse_hidden; Shape(parse_hidden('4x4'));"
        "print(sorted(m for m in ('numba', 'llvmlite') if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
