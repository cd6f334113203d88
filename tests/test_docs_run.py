"""Docs that run as printed: every shell and Python block of README.md and docs/*.md, verbatim, in order.

Each document runs in a fresh folder holding a copy of this checkout, its blocks one after
another in one bash (so a block may use what an earlier one made, as a reader's shell would),
and every output the document quotes (a ```text block right after a ```bash block) must be
among the lines that block printed; seconds and rates may differ (``docs_blocks``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docs_blocks import Block, blocks, documents, quoted_lines_missing

ROOT = Path(__file__).resolve().parents[1]
MARK = "@@beans-docs-block "
NESTED = "BEANS_DOCS_RUN"  # set for the blocks' processes: a test command in the docs must not start this again
# a guard against a hang, not a measure of speed: a document's slowest block is a fresh install
DOCUMENT_TIMEOUT_S = 3600


def _fresh_copy(target: Path) -> Path:
    """A copy of this checkout's files (those git tracks, or all but caches), as a reader's clone holds."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if listed.returncode == 0 and listed.stdout:
        for name in listed.stdout.decode().split("\0"):
            if name and (ROOT / name).is_file():
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, target / name)
    else:
        ignore = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", ".pytest_cache")
        shutil.copytree(ROOT, target, ignore=ignore, dirs_exist_ok=True)
    return target


def _script(doc_blocks: list[Block]) -> str:
    """One bash script: each block after a line that marks where its output starts."""
    parts = ["set -eo pipefail"]
    for k, block in enumerate(doc_blocks):
        parts += [f"echo '{MARK}{k}'", block.commands]
    return "\n".join(parts) + "\n"


def _outputs(printed: str, count: int) -> list[str | None]:
    """What each block printed, split at the marks; None for blocks that never started."""
    outputs: list[str | None] = [None] * count
    current = None
    for line in printed.splitlines(keepends=True):
        if line.startswith(MARK):
            current = int(line[len(MARK) :])
            outputs[current] = ""
        elif current is not None:
            outputs[current] += line
    return outputs


DOCS = [path for path in documents(ROOT) if path.is_file() and blocks(path.read_text())]


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get(NESTED) == "1", reason="a docs run inside a docs run (the README runs the tests)")
@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shell_block_runs_as_printed_and_prints_what_it_quotes(doc, tmp_path):
    doc_blocks = blocks(doc.read_text())
    folder = _fresh_copy(tmp_path / "clone")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")} | {NESTED: "1"}
    # the `beans` and `python3` of the environment running the tests come first, as after the README's set-up
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    done = subprocess.run(
        ["bash", "-c", _script(doc_blocks)],
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=DOCUMENT_TIMEOUT_S,
        check=False,
    )
    outputs = _outputs(done.stdout, len(doc_blocks))
    name = doc.relative_to(ROOT)
    if done.returncode != 0:
        failed = max(k for k, out in enumerate(outputs) if out is not None)
        block = doc_blocks[failed]
        tail = "".join((outputs[failed] or "").splitlines(keepends=True)[-30:])
        pytest.fail(f"{name}:{block.line} exits {done.returncode}:\n{block.commands}\n--- its output ---\n{tail}")
    for block, printed in zip(doc_blocks, outputs, strict=True):
        if block.quoted is not None:
            missing = quoted_lines_missing(block.quoted, printed or "")
            assert not missing, f"{name}:{block.line} does not print what the docs quote: {missing}\n{printed}"


# ---- the reading of the docs itself ----------------------------------------------------------


def test_a_text_block_right_after_a_bash_block_is_its_quoted_output():
    text = "\n".join(
        [
            "Intro.",
            "```bash",
            "beans data",
            "```",
            "",
            "```text",
            "wrote beans.png",
            "```",
            "Then:",
            "```bash",
            "beans train",
            "```",
            "Words between.",
            "```text",
            "not a quote of the block above",
            "```",
            "```python",
            "print(1)",
            "```",
            "```json",
            "{}",
            "```",
        ]
    )
    found = blocks(text)
    assert [b.commands for b in found] == ["beans data", "beans train", "python3 - <<'PYTHON'\nprint(1)\nPYTHON"]
    assert [b.line for b in found] == [2, 10, 17]
    assert found[0].quoted == "wrote beans.png" and found[1].quoted is None


def test_quoted_output_matches_loosely_only_in_seconds_and_rates():
    printed = "converged 48 of 50\nwall time 5.20 s for 25,000,000 SGD steps, 4.8 M steps/s (jit engine)\n"
    quoted = "converged 48 of 50\nwall time 0.31 s for 25,000,000 SGD steps, 80.1 M steps/s (jit engine)"
    assert quoted_lines_missing(quoted, printed) == []
    assert quoted_lines_missing("converged 47 of 50", printed) == ["converged 47 of 50"]
    assert quoted_lines_missing("wall time 0.31 s for 24,000,000 SGD steps", printed) != []


def test_the_marks_split_the_output_by_block():
    printed = f"{MARK}0\na\nb\n{MARK}1\n{MARK}2\nc\n"
    assert _outputs(printed, 4) == ["a\nb\n", "", "c\n", None]


def test_every_document_a_reader_meets_is_read():
    assert DOCS[0].name == "README.md" and ROOT / "docs" / "guide.md" in DOCS
