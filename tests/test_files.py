"""cli.files: outputs are checked and their folders made up front, and removed again on failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from beans.files import (
    OutputError,
    StagedFiles,
    WrongKindError,
    output_file,
    plot_format,
    prepare_outputs,
)


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


def test_a_file_output_that_is_a_directory_and_the_reverse_are_wrong_kinds(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(WrongKindError, match="^--csv: .* is a directory"):
        prepare_outputs([("--csv", tmp_path, False)])
    with pytest.raises(WrongKindError, match="^--out: .*file is not a directory$"):
        prepare_outputs([("--out", tmp_path / "file", True)])


def test_a_file_output_whose_parent_is_a_file_is_an_io_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="^--csv: .*file is not a directory$") as caught:
        prepare_outputs([("--csv", tmp_path / "file" / "x.csv", False)])
    assert not isinstance(caught.value, WrongKindError)


def test_the_message_names_the_step_that_failed_and_the_systems_reason(tmp_path):
    with pytest.raises(OutputError, match="^--out: cannot create folder /dev/null/x: Not a directory$"):
        prepare_outputs([("--out", Path("/dev/null/x"), True)])


@pytest.mark.parametrize("text", ["dir/", "a/b.csv/"])
def test_output_file_refuses_a_trailing_separator(text):
    with pytest.raises(ValueError, match="names a folder"):
        output_file(text)


def test_output_file_keeps_a_plain_name():
    assert output_file("a/b.csv") == Path("a/b.csv")


def test_staged_files_appear_together_at_the_end(tmp_path):
    with StagedFiles() as staged:
        staged.write(tmp_path / "a.txt", lambda tmp: tmp.write_text("a"))
        staged.write(tmp_path / "b.txt", lambda tmp: tmp.write_text("b"))
        assert not (tmp_path / "a.txt").exists()  # still under a temporary name
    assert staged.written == [tmp_path / "a.txt", tmp_path / "b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644


def test_staged_files_vanish_on_any_error_and_old_files_stay(tmp_path):
    (tmp_path / "a.txt").write_text("old")
    with pytest.raises(KeyboardInterrupt), StagedFiles() as staged:
        staged.write(tmp_path / "a.txt", lambda tmp: tmp.write_text("new"))
        staged.write(tmp_path / "b.txt", lambda tmp: tmp.write_text("b"))
        raise KeyboardInterrupt
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    assert (tmp_path / "a.txt").read_text() == "old"


def test_an_interrupted_commit_removes_what_it_had_renamed(tmp_path, monkeypatch):
    import beans.files

    real_replace, calls = beans.files.os.replace, []

    def replace_then_interrupt(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(beans.files.os, "replace", replace_then_interrupt)
    with pytest.raises(KeyboardInterrupt), StagedFiles() as staged:
        for name in ("a", "b", "c"):
            staged.write(tmp_path / name, lambda tmp: tmp.write_text("x"))
    assert list(tmp_path.iterdir()) == []


def test_a_write_that_fails_is_an_output_error_naming_the_target(tmp_path):
    def disk_full(_tmp):
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match=r"cannot write .*a\.png: No space left on device"), StagedFiles() as staged:
        staged.write(tmp_path / "a.png", disk_full)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("name", "fmt"), [("a.png", "png"), ("a.SVG", "svg"), ("dir.x/a.pdf", "pdf")])
def test_plot_format_follows_the_suffix(name, fmt):
    assert plot_format(Path(name), "--out") == fmt


@pytest.mark.parametrize("name", ["a.jpg", "a", "a.png.txt"])
def test_an_unknown_plot_format_names_the_option(name):
    with pytest.raises(ValueError, match=r"^--plot must end in \.png, \.svg or \.pdf"):
        plot_format(Path(name), "--plot")
