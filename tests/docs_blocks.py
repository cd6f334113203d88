"""The shell blocks of the docs and the outputs they quote, read from the Markdown.

A ```bash fence is a block of commands, and a ```python fence a script (run as
``python3 - <<'PYTHON'``); a ```text fence right after either (only blank lines between) is what
it prints, as the docs quote it. ``tests/test_docs_run.py`` runs every block and compares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# A figure that differs from run to run and machine to machine: a number of seconds, of steps per
# second. In a quoted line each matches any number.
_VARIES = re.compile(r"[0-9][0-9,]*(\.[0-9]+)?(?= ?(s|ms|µs|ns|M steps/s|k steps/s|steps/s)\b)")
_ANY_NUMBER = r"[0-9][0-9,]*(\.[0-9]+)?"


@dataclass(frozen=True)
class Fence:
    language: str
    body: str
    first: int  # line number (1-based) of the opening fence
    last: int  # line number of the closing fence


@dataclass(frozen=True)
class Block:
    """One ```bash or ```python fence as shell commands, where it starts, and the output quoted after it (or None)."""

    commands: str
    line: int
    quoted: str | None


def fences(text: str) -> list[Fence]:
    """Every fenced block of a Markdown text, in order."""
    lines = text.splitlines()
    found, i = [], 0
    while i < len(lines):
        if lines[i].startswith("```"):
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            found.append(Fence(lines[i][3:].strip(), "\n".join(lines[i + 1 : end]), i + 1, end + 1))
            i = end
        i += 1
    return found


def blocks(text: str) -> list[Block]:
    """Every ```bash and ```python block of a Markdown text, in order, each with the ```text block after it."""
    lines = text.splitlines()
    all_fences = fences(text)
    found = []
    for fence, after in zip(all_fences, [*all_fences[1:], None][: len(all_fences)], strict=True):
        if fence.language not in ("bash", "python"):
            continue
        commands = fence.body if fence.language == "bash" else f"python3 - <<'PYTHON'\n{fence.body}\nPYTHON"
        follows = after is not None and after.language == "text"
        follows = follows and all(not line.strip() for line in lines[fence.last : after.first - 1])
        found.append(Block(commands, fence.first, after.body if follows else None))
    return found


def quoted_lines_missing(quoted: str, printed: str) -> list[str]:
    """The quoted lines that are not a line of ``printed`` (seconds and rates may differ)."""
    printed_lines = [line.rstrip() for line in printed.splitlines()]
    missing = []
    for line in filter(str.strip, quoted.splitlines()):
        line = line.rstrip()
        regex, last = "", 0
        for varies in _VARIES.finditer(line):
            regex += re.escape(line[last : varies.start()]) + _ANY_NUMBER
            last = varies.end()
        regex += re.escape(line[last:])
        if not any(re.fullmatch(regex, candidate) for candidate in printed_lines):
            missing.append(line)
    return missing


def documents(root: Path) -> list[Path]:
    """README.md, then the guides, then every other page under docs/, in the order a reader meets them."""
    guides = [root / "docs" / "guide.md", root / "docs" / "guide.zh-CN.md"]
    others = sorted(p for p in (root / "docs").glob("*.md") if p not in guides)
    return [root / "README.md", *guides, *others]
