"""beans.cli.progress: the training bar shows progress and speed, and is silent when disabled."""

from __future__ import annotations

from io import StringIO

import beans.cli.progress as progress_module
from beans.cli.progress import training_progress
from rich.console import Console


def _console() -> Console:
    return Console(file=StringIO(), force_terminal=True, width=100, color_system=None)


def test_bar_shows_seed_epochs_and_steps_per_second(monkeypatch):
    clock = iter([10.0, 12.0, 14.0])  # seconds at each callback
    monkeypatch.setattr(progress_module.time, "perf_counter", lambda: next(clock))
    console = _console()
    with training_progress(epochs=1000, seeds=4, beans=100, enabled=True, console=console) as on_chunk:
        on_chunk(0, 1000)
        on_chunk(500, 1000)
        on_chunk(1000, 1000)
    text = console.file.getvalue()
    assert "training" in text and "4,000/4,000 seed-epochs" in text, text
    assert "eta" in text, text  # rich's TimeRemainingColumn follows it
    # the clock starts at the first callback: 1000 epochs x 4 seeds x 100 beans in 4 s
    assert "100.0 k steps/s" in text, text


def test_rate_ignores_the_time_before_the_first_callback(monkeypatch):
    clock = iter([100.0, 101.0])  # the kernels took 100 s to load: not part of the rate
    monkeypatch.setattr(progress_module.time, "perf_counter", lambda: next(clock))
    console = _console()
    with training_progress(epochs=10, seeds=1, beans=10, enabled=True, console=console) as on_chunk:
        on_chunk(0, 10)
        on_chunk(10, 10)
    assert "100 steps/s" in console.file.getvalue()


def test_disabled_bar_writes_nothing():
    console = _console()
    with training_progress(epochs=100, seeds=2, beans=10, enabled=False, console=console) as on_chunk:
        on_chunk(0, 100)
        on_chunk(100, 100)
    assert console.file.getvalue() == ""


def _said(choice) -> str:
    console = Console(file=StringIO(), width=100, color_system=None)
    progress_module.say_compile(console, choice)
    return console.file.getvalue()


def test_a_one_time_compile_is_announced_with_its_estimate():
    from beans.kernels.choice import Choice

    assert _said(Choice(None, "run-time-shaped", "short", 5.6)) == "compiling the kernel for this machine, once: ~6 s\n"
    assert _said(Choice(None, "generated", "long", 2.2)) == "compiling this net's own kernel, once: ~2 s\n"
    assert _said(Choice(None, "generated", "compiled already", 0.0)) == ""
