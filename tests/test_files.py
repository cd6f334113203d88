"""cli.files: outputs are checked and their folders made up front, and removed again on failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.files import PLOT_FORMATS, PLOT_SUFFIXES, OutputError, plot_format, prepare_outputs


def test_folders_are_made_for_directories_and_for_files_parents(tmp_path):
    prepared = prepare_outputs([("--out", tmp_path / "a" / "b", True), ("--csv", tmp_path / "c" / "x.csv", False)])
    assert (tmp_path / "a" / "b").is_dir() and (tmp_path / "c").is_dir()
    assert not (tmp_path / "c" / "x.csv").exists()
    assert set(prepared.created) == {tmp_path / "a" / "b", tmp_path / "a", tmp_path / "c"}


def test_cleanup_removes_only_the_empty_folders_it_made(tmp_path):
    (tmp_path / "kept").mkdir()
    prepared = prepare_outputs(
        [("--out", tmp_path / "kept" / "new", True), ("--json", tmp_path / "full" / "r.json", False)]
    )
    (tmp_path / "full" / "r.json").write_text("{}")
    prepared.cleanup()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full", "kept"]  # existing and non-empty stay
    assert list((tmp_path / "kept").iterdir()) == []


def test_none_paths_are_skipped(tmp_path):
    assert prepare_outputs([("--json", None, False)]).created == []


@pytest.mark.parametrize(
    ("target", "option"),
    [
        (("--out", Path("/dev/null/x"), True), "--out"),
        (("--animate", Path("/dev/null/x/a.gif"), False), "--animate"),
        (("--json", None, False), "--json"),  # a directory: filled in below
    ],
)
def test_a_bad_output_names_its_option_and_undoes_earlier_folders(tmp_path, target, option):
    if target[1] is None:
        target = (option, tmp_path, False)
    first = ("--out", tmp_path / "made" / "here", True)
    with pytest.raises(OutputError, match=f"^{option}: "):
        prepare_outputs([first, target])
    assert not (tmp_path / "made").exists()


@pytest.mark.parametrize("name", ["a.png", "a.SVG", "dir.x/a.pdf"])
def test_plot_format_follows_the_suffix(name):
    assert plot_format(Path(name), "--out") == Path(name).suffix.lower().lstrip(".")


@pytest.mark.parametrize("name", ["a.jpg", "a", "a.png.txt"])
def test_an_unknown_plot_format_names_the_option(name):
    with pytest.raises(ValueError, match=r"^--plot must end in \.png, \.svg or \.pdf"):
        plot_format(Path(name), "--plot")


def test_suffixes_match_formats():
    assert PLOT_SUFFIXES == tuple(f".{fmt}" for fmt in PLOT_FORMATS)
