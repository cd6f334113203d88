"""``python -m beans.speed_page``: measure with ``beans bench`` and write the table in docs/speed.md.

The table sits between two marker lines of docs/speed.md; it is replaced whole, with the
machine it was measured on (CPU, cores, vector width) and the date, so the page never quotes
a figure without saying where it came from. Ratios are what carry over between machines.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

BEGIN = "<!-- speed-table: made by python -m beans.speed_page -->"
END = "<!-- /speed-table -->"


def table(bench: dict, day: datetime.date) -> str:
    """Markdown for one ``beans bench --json`` result: the machine, then a row per engine."""
    versions, work = bench["versions"], bench["workload"]
    width = "512-bit" if versions.get("numba_512_bit") else "256-bit or less"
    lines = [
        f"Measured {day.isoformat()} on {versions['cpu']} ({versions.get('numba_cpu', '?')}), "
        f"{versions['logical_cpus']} cores, {width} vectors for the lane kernels; beans {versions['beans']}, "
        f"numba {versions['numba']}, Python {versions['python']}. Workload: {work['seeds']} seeds x "
        f"{work['beans']} beans, lr {work['lr']}, up to {work['epochs']} epochs, median of {work['repeat']} runs. "
        "Every engine agreed with `sgd_python` first.",
        "",
        "| engine | threads | ns per step | speedup over the lesson's loop |",
        "|---|---:|---:|---:|",
    ]
    for row in bench["engines"]:
        if row.get("ns_per_step") is None or not row.get("agrees"):
            continue
        speedup = row["speedup"]
        shown = f"{speedup:,.0f}x" if speedup >= 10 else f"{speedup:.2f}x"
        lines.append(f"| `{row['name']}` | {row['threads']} | {row['ns_per_step']:,.1f} | {shown} |")
    return "\n".join(lines)


def replace_table(page: str, new_table: str) -> str:
    """``page`` with the text between the markers replaced by ``new_table``; ValueError without markers."""
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(page):
        raise ValueError(f"no {BEGIN} ... {END} section")
    return pattern.sub(lambda _: f"{BEGIN}\n{new_table}\n{END}", page)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m beans.speed_page", description=__doc__.splitlines()[0])
    parser.add_argument("--page", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "speed.md")
    parser.add_argument("--from-json", type=Path, help="use a saved `beans bench --json` result instead of measuring")
    args = parser.parse_args(argv)
    if args.from_json is None:
        from .cli.app import app

        with tempfile.TemporaryDirectory() as scratch:
            saved = Path(scratch) / "bench.json"
            app(["bench", "--json", str(saved), "--quiet"], standalone_mode=False)
            bench = json.loads(saved.read_text())
    else:
        bench = json.loads(args.from_json.read_text())
    page = replace_table(args.page.read_text(), table(bench, datetime.date.today()))
    written = args.page.with_name(f".{args.page.name}.writing")
    written.write_text(page)
    os.replace(written, args.page)  # readers see the old page or the new one, never half of one
    print(f"wrote the table in {args.page}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
