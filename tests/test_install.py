"""A plain (non-editable) install of beans works from anywhere, with its C source as package data.

Builds a real wheel with pip into a fresh venv whose only extra is a ``.pth`` line pointing at
this interpreter's site-packages (so numba and the rest need not be downloaded), then runs the
installed program from a folder that is not the checkout.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

import beans
from beans.benchmark import c_reference

pytestmark = pytest.mark.slow  # a wheel build and a fresh venv

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "beans", "kernels", "cli")  # what pyproject.toml packages
# pip's words when it cannot get setuptools for the isolated build: no index to reach
NO_INDEX = ("Could not find a version that satisfies", "No matching distribution", "Failed to establish", "Network is")


@dataclass(frozen=True)
class Install:
    """A venv with beans installed, and how to run it from a folder that is not the checkout."""

    bin_dir: Path
    site: Path
    env: dict[str, str]
    cwd: Path

    def run(self, program: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.bin_dir / program), *args],
            capture_output=True,
            text=True,
            timeout=300,
            env=self.env,
            cwd=self.cwd,
        )


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Install:
    """beans installed from this checkout by ``pip install --no-deps`` (a wheel build) into a fresh venv."""
    tmp = tmp_path_factory.mktemp("install")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
    bin_dir = venv / "bin"
    site = Path(
        subprocess.run(
            [bin_dir / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # a plain path line: the parent's own .pth files (beans' editable install among them) stay unread
    (site / "beans-test-parent.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("NUMBA_")}
    env["XDG_CACHE_HOME"] = str(tmp / "cache")  # the C binaries are built afresh, here
    # from a copy of what the wheel is built from: setuptools writes build/ into the source tree
    source = tmp / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    pip = subprocess.run(
        [bin_dir / "pip", "install", "--no-deps", str(source)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=tmp,
    )
    if pip.returncode != 0:
        if any(words in pip.stderr + pip.stdout for words in NO_INDEX):
            last = (pip.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.skip(f"pip cannot fetch the build requirements from a package index: {last}")
        raise AssertionError(pip.stdout + pip.stderr)
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    return Install(bin_dir, site, env, elsewhere)


def test_the_installed_package_is_imported_and_reports_its_version(installed):
    where = installed.run("python", "-c", "import beans, beans.kernels; print(beans.__file__)")
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()) == installed.site / "beans" / "__init__.py"  # the wheel's, not the checkout's
    version = installed.run("python", "-m", "beans", "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout == f"beans {beans.__version__}\n"


def test_only_the_beans_namespace_is_installed(installed):
    site = installed.site
    (record,) = site.glob("beans-*.dist-info/RECORD")
    paths = [row[0] for row in csv.reader(record.read_text().splitlines())]
    tops = {path.split("/")[0] for path in paths if not path.startswith("../")}
    assert tops == {"beans", record.parent.name}
    assert "beans/benchmark/sgd_c.c" in paths and "beans/kernels/many.py" in paths and "beans/cli/app.py" in paths
    assert not (site / "kernels").exists() and not (site / "cli").exists()


def test_the_installed_bench_times_the_c_reference_from_package_data(installed):
    result = installed.run(
        "beans", "bench", "--quick", "--engines", "c-scalar,c-lanes", "--no-compile", "--json", "b.json"
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads((installed.cwd / "b.json").read_text())
    if c_reference.find_compiler() is None:
        assert all("compiler" in skipped["reason"] for skipped in doc["skipped"]), doc["skipped"]
        pytest.skip("no C compiler here, so the C rows are skipped by design")
    assert doc["skipped"] == []  # the source was found in the installed package
    rows = {row["name"]: row for row in doc["engines"]}
    assert set(rows) == {"c-scalar", "c-lanes"}
    for row in rows.values():
        assert row["agrees"] is True and row["steps"] > 0 and row["ns_per_step"] > 0, row


def test_the_installed_check_writes_the_lessons_files(installed):
    """beans check --example from the wheel: the lesson's two files ship with the package."""
    done = installed.run("beans", "check", "--example", "--out", str(installed.cwd / "lesson"))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (installed.cwd / "lesson").iterdir()) == [
        "dataset.py",
        "one_hidden_layer_net.py",
    ]
