"""The first run of a new net against the same command run again, main's beans against this one's (issue 20).

Run as ``python bench/first_run.py BEANS_BEFORE BEANS_AFTER [ROUNDS]`` with the ``beans`` executables
of two installs. Each round gives each install a fresh, empty numba cache (its generated
kernels included), as on a machine's first run: the lesson's net runs in it first, then each
net's command runs twice, in turn. The installs take turns, round by round, and a long job
(--epochs 200000, the lesson's net, cache warm) is timed the same way. Prints medians, in seconds.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

NETS = [("3", "sigmoid"), ("5", "sigmoid"), ("4x4", "tanh"), ("8x8", "relu")]


def timed(beans: str, args: list[str], cache: str, out: str) -> tuple[float, str | None]:
    """Seconds for ``beans train ARGS`` with numba's cache in ``cache``; the kernel results.json names."""
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    began = time.perf_counter()
    subprocess.run([beans, "train", *args, "--out", out, "--quiet"], env=env, check=True, capture_output=True)
    seconds = time.perf_counter() - began
    with open(os.path.join(out, "results.json")) as file:
        return seconds, json.load(file)["settings"].get("kernel")


def main() -> None:
    installs = {"before": sys.argv[1], "after": sys.argv[2]}
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    times: dict[tuple, list[float]] = {}
    kernels: dict[tuple, str | None] = {}
    for r in range(rounds):
        for label, beans in installs.items():
            with tempfile.TemporaryDirectory() as scratch:
                cache, out = os.path.join(scratch, "numba"), os.path.join(scratch, "out")
                lesson = ["--seeds", "50"]
                for which in ("first", "again"):
                    seconds, kernel = timed(beans, lesson, cache, out)
                    times.setdefault((label, "lesson", which), []).append(seconds)
                    kernels[(label, "lesson", which)] = kernel
                for hidden, activation in NETS:
                    args = ["--seeds", "50", "--hidden", hidden, "--activation", activation]
                    for which in ("first", "again"):
                        seconds, kernel = timed(beans, args, cache, out)
                        times.setdefault((label, hidden, which), []).append(seconds)
                        kernels[(label, hidden, which)] = kernel
                long_job = ["--seeds", "50", "--epochs", "200000"]
                seconds, kernel = timed(beans, long_job, cache, out)  # compiles what it picks
                seconds, kernel = timed(beans, long_job, cache, out)
                times.setdefault((label, "long", "again"), []).append(seconds)
                kernels[(label, "long", "again")] = kernel
        print(f"round {r + 1} of {rounds} done", file=sys.stderr, flush=True)
    print("| net | install | first run | run again | ratio | kernel (first, again) |")
    print("|---|---|---:|---:|---:|---|")
    for name in ["lesson", *(h for h, _ in NETS)]:
        for label in installs:
            first = statistics.median(times[(label, name, "first")])
            again = statistics.median(times[(label, name, "again")])
            kinds = f"{kernels[(label, name, 'first')]}, {kernels[(label, name, 'again')]}"
            print(f"| {name} | {label} | {first:.2f} | {again:.2f} | {first / again:.2f}x | {kinds} |")
    for label in installs:
        long_s = statistics.median(times[(label, "long", "again")])
        print(f"| long job, cache warm | {label} | | {long_s:.2f} | | {kernels[(label, 'long', 'again')]} |")


if __name__ == "__main__":
    main()
