"""beans.bean_files: beans CSVs read back bit for bit, and every kind of bad file refused in one line."""

from __future__ import annotations

import os

import numpy as np
import pytest

import beans
from beans.bean_files import (
    MAX_DATA_BYTES,
    DataFileError,
    beans_csv,
    held_out_count,
    read_beans_csv,
    split_beans,
)


def write(tmp_path, text: str, name: str = "beans.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("curve", ["hill", "bump"])
def test_what_beans_csv_writes_reads_back_bit_for_bit(tmp_path, curve):
    xs, ys = beans.get_beans(257, 11, noise=3, curve=curve)
    data = read_beans_csv(write(tmp_path, beans_csv(xs, ys)))
    np.testing.assert_array_equal(data.xs, xs)
    np.testing.assert_array_equal(data.ys, ys)
    assert data.size == 257 and data.xs.dtype == np.float64 and not data.xs.flags.writeable


def test_a_spreadsheets_file_reads_too(tmp_path):
    """A byte-order mark, CRLF line ends, spaces around fields, a blank last line and unsorted sizes."""
    path = tmp_path / "sheet.csv"
    path.write_bytes(b"\xef\xbb\xbfSize, Toxicity\r\n1.5, 0\r\n0.25 ,1\r\n\r\n")
    data = read_beans_csv(path)
    assert data.xs.tolist() == [1.5, 0.25] and data.ys.tolist() == [0.0, 1.0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("\n\n", "is empty"),
        ("size,toxicity\n", "holds 0 bean"),
        ("size,toxicity\n0.5,1\n", "holds 1 bean"),
        ("x,y\n0.5,1\n0.7,0\n", "not the header size,toxicity"),
        ("0.5,1\n0.7,0\n0.9,0\n", "not the header"),
        ("size,toxicity\n0.5,1\nnan,0\n", "line 3: size 'nan' is not a number"),
        ("size,toxicity\n0.5,inf\n0.7,0\n", "toxicity 'inf' is not a number"),
        ("size,toxicity\n0.5,1\nbig,0\n", "size 'big' is not a number"),
        ("size,toxicity\n0.5,1\n1_0,0\n", "size '1_0' is not a number"),
        ("size,toxicity\n0.5,1\n1e999,0\n", "too large to be a finite number"),
        ("size,toxicity\n0.5,2\n0.7,0\n", "line 2: toxicity 2 is outside [0, 1]"),
        ("size,toxicity\n0.5,-0.1\n0.7,0\n", "toxicity -0.1 is outside [0, 1]"),
        ("size,toxicity\n0.5,1,3\n0.7,0\n", "line 2 has 3 fields, not 2"),
        ("size,toxicity\n0.5\n0.7,0\n", "line 2 has 1 fields"),
    ],
)
def test_bad_contents_are_one_line_errors_naming_the_file_and_line(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(DataFileError) as caught:
        read_beans_csv(path)
    assert message in str(caught.value) and str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_billion_rows_are_refused_by_size_before_reading(tmp_path):
    """A sparse file as long as 10^9 rows of '0.5,1': refused from its size, nothing of it read."""
    path = write(tmp_path, "size,toxicity\n0.5,1\n")
    os.truncate(path, 10**9 * len("0.5,1\n"))
    with pytest.raises(DataFileError, match=f"more than the {MAX_DATA_BYTES // 2**20} MiB"):
        read_beans_csv(path)


def test_more_rows_than_the_limit_are_refused(tmp_path, monkeypatch):
    import beans.bean_files as bean_files

    monkeypatch.setattr(bean_files, "MAX_DATA_ROWS", 5)
    with pytest.raises(DataFileError, match="holds 6 beans, more than the 5"):
        read_beans_csv(write(tmp_path, "size,toxicity\n" + "0.5,1\n" * 6))


@pytest.mark.parametrize("kind", ["fifo", "folder", "device", "missing", "binary"])
def test_what_is_not_a_regular_text_file_is_refused_without_waiting(tmp_path, kind):
    path = tmp_path / "beans.csv"
    if kind == "fifo":
        os.mkfifo(path)  # opened non-blocking: no writer, and still no wait
    elif kind == "folder":
        path.mkdir()
    elif kind == "device":
        path = "/dev/zero"
    elif kind == "binary":
        path.write_bytes(b"size,toxicity\n\xff\xfe,1\n")
    message = {"fifo": "not a regular file", "folder": "is a folder", "device": "not a regular file"}
    message |= {"missing": "not found", "binary": "not UTF-8"}
    with pytest.raises(DataFileError, match=message[kind]):
        read_beans_csv(path)


def test_a_split_keeps_the_files_order_and_depends_only_on_its_seed():
    xs = np.arange(10.0)
    ys = np.linspace(0, 1, 10)
    train_xs, train_ys, test_xs, test_ys = split_beans(xs, ys, 0.3, seed=4)
    assert test_xs.size == 3 and train_xs.size == 7
    assert sorted([*train_xs, *test_xs]) == xs.tolist()
    assert np.all(np.diff(train_xs) > 0) and np.all(np.diff(test_xs) > 0)
    np.testing.assert_array_equal(train_ys, ys[train_xs.astype(int)])
    np.testing.assert_array_equal(split_beans(xs, ys, 0.3, seed=4)[2], test_xs)
    assert not np.array_equal(split_beans(xs, ys, 0.3, seed=5)[2], test_xs)


@pytest.mark.parametrize(("total", "share"), [(10, 0.01), (3, 0.5), (4, 0.9)])
def test_a_split_must_hold_out_one_and_keep_two(total, share):
    with pytest.raises(ValueError, match="at least 1"):
        held_out_count(total, share)
