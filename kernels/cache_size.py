"""The machine's L1 data cache size, which sets how many lanes a generated kernel's block holds."""

from __future__ import annotations

import os
from pathlib import Path

SYSFS_CACHES = Path("/sys/devices/system/cpu/cpu0/cache")
# When the OS does not say: the smallest L1 data cache of the x86-64 and ARM cores beans is
# run on, so a block never outgrows the real one (a block too small costs less than one that
# spills: bench/shape_ratios.py).
DEFAULT_L1_BYTES = 32 * 1024
_UNITS = {"": 1, "K": 1024, "M": 1024 * 1024}


def parse_size(text: str) -> int | None:
    """Bytes in a sysfs cache size such as "32K", "1024K", "2M" or "49152"; None if unreadable."""
    text = text.strip().upper()
    unit = text[-1:] if text[-1:] in ("K", "M") else ""
    number = text[: len(text) - len(unit)]
    return int(number) * _UNITS[unit] if number.isdigit() and int(number) > 0 else None


def l1_data_bytes(caches: Path = SYSFS_CACHES) -> int:
    """Size of this machine's level-1 data cache in bytes.

    Read from Linux's sysfs (``caches/index*/`` with level 1 and type Data), else from
    ``os.sysconf("SC_LEVEL1_DCACHE_SIZE")`` where the C library knows it, else
    ``DEFAULT_L1_BYTES``.
    """
    try:
        for index in sorted(caches.glob("index*")):
            if (index / "level").read_text().strip() == "1" and (index / "type").read_text().strip() == "Data":
                size = parse_size((index / "size").read_text())
                if size:
                    return size
    except OSError:
        pass
    try:
        size = os.sysconf("SC_LEVEL1_DCACHE_SIZE")
    except (ValueError, OSError):  # the name is unknown on this platform, or not answered
        size = 0
    return size if size > 0 else DEFAULT_L1_BYTES
