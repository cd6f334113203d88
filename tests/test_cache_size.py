"""cache_size: the L1 data cache read from a sysfs tree, with the fallbacks when it cannot be."""

from __future__ import annotations

from pathlib import Path

import pytest
from beans.kernels import cache_size, codegen
from beans.kernels.shape import Shape


def fake_sysfs(root: Path, caches: list[tuple[str, str, str]]) -> Path:
    """A cpu0/cache folder holding index0, index1, ... with the (level, type, size) given."""
    for n, (level, kind, size) in enumerate(caches):
        index = root / f"index{n}"
        index.mkdir(parents=True)
        (index / "level").write_text(level + "\n")
        (index / "type").write_text(kind + "\n")
        (index / "size").write_text(size + "\n")
    return root


def test_the_level_1_data_cache_is_found_among_the_others(tmp_path):
    caches = [("1", "Instruction", "64K"), ("1", "Data", "48K"), ("2", "Unified", "2048K")]
    assert cache_size.l1_data_bytes(fake_sysfs(tmp_path, caches)) == 48 * 1024


@pytest.mark.parametrize(
    ("text", "size"), [("32K", 32768), ("2M", 2 << 20), ("49152", 49152), ("?", None), ("0K", None)]
)
def test_sizes_parse_as_sysfs_writes_them(text, size):
    assert cache_size.parse_size(text) == size


def test_without_sysfs_the_c_library_answers_or_the_default_holds(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_size.os, "sysconf", lambda name: 24 * 1024)
    assert cache_size.l1_data_bytes(tmp_path / "missing") == 24 * 1024

    def unknown(name):
        raise ValueError("unrecognized configuration name")

    monkeypatch.setattr(cache_size.os, "sysconf", unknown)
    assert cache_size.l1_data_bytes(tmp_path / "missing") == cache_size.DEFAULT_L1_BYTES
    monkeypatch.setattr(cache_size.os, "sysconf", lambda name: 0)  # glibc's "don't know"
    assert cache_size.l1_data_bytes(fake_sysfs(tmp_path, [("1", "Data", "unknown")])) == cache_size.DEFAULT_L1_BYTES


def test_a_smaller_l1_gives_a_wide_net_narrower_blocks():
    wide = Shape((8,))
    assert codegen.block_lanes(wide, l1_bytes=32 * 1024) < codegen.block_lanes(wide, l1_bytes=48 * 1024)
    assert codegen.block_lanes(Shape(), l1_bytes=32 * 1024) == codegen.MAX_BLOCK_LANES  # the 1-2-1 fits either way


def test_a_block_keeps_two_groups_of_lanes_however_small_the_l1():
    for l1_bytes in (4 * 1024, 32 * 1024):
        assert codegen.block_lanes(Shape((8, 8), "relu"), l1_bytes=l1_bytes) == 2 * codegen.LANE_GROUP
