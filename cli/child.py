"""The command line of a Python child process that runs beans' installed code.

Not ``python -m``: it, like ``-c``, puts the current folder first on ``sys.path``, where a clone
of beans' repository would shadow the installed package. ``-c``'s entry can be dropped before
anything is imported (``safe_path``, Python 3.11's -P, never adds one).
"""

from __future__ import annotations

import sys


def python_running(module: str, function: str, *args: str) -> list[str]:
    """``[python, "-c", ...]``: import ``function`` from ``module`` and call it; ``args`` are ``sys.argv[1:]``."""
    code = (
        "import sys\n"
        "if not getattr(sys.flags, 'safe_path', False):\n"
        "    del sys.path[0]\n"
        f"from {module} import {function}\n"
        f"{function}()\n"
    )
    return [sys.executable, "-c", code, *args]
