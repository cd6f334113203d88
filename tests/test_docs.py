"""The pictures under docs/ are what ``python -m beans.docs`` makes today, and the guides show them.

The quick pictures are made afresh (in-process, through the real commands) and compared with
the committed ones in what matters: pixel size, frames, the description each picture carries
(command, titles, axis labels, legend entries) and its colours; never pixel by pixel.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from beans.cli.app import app
from PIL import Image
from typer.testing import CliRunner

from beans import docs

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GUIDES = [DOCS / "guide.md", DOCS / "guide.zh-CN.md"]
IMAGE_SUFFIXES = {".png", ".gif", ".svg", ".jpg", ".jpeg", ".pdf"}
QUICK = [name for name, run in docs.pictures().items() if run.quick]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """The quick pictures, made afresh into a temporary folder."""
    folder = tmp_path_factory.mktemp("docs")
    docs.build(QUICK, folder)
    return folder


def test_every_image_under_docs_is_made_by_the_generator():
    images = {p.name for p in DOCS.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES}
    assert images == set(docs.pictures())


@pytest.mark.slow
@pytest.mark.parametrize("name", QUICK)
def test_committed_picture_matches_a_fresh_one(fresh, name):
    assert docs.differences(DOCS / name, fresh / name) == []


@pytest.mark.parametrize("name", sorted(docs.pictures()))
def test_committed_picture_describes_itself(name):
    """Every picture (the slow ones too) says which command made it: the generator's, as the guides print it."""
    described = docs.read_description(DOCS / name)
    assert described is not None, f"{name} carries no description; run python -m beans.docs"
    assert described["command"] == docs.pictures()[name].command
    assert any(panel["xlabel"] for panel in described["axes"])


def test_the_beans_keep_their_colours_and_labels():
    """The lesson's beans: green training beans, hollow purple held-out beans, "Bean size" on the x axis."""
    for name in ("fit.png", "training.gif"):
        described = docs.read_description(DOCS / name)
        assert described["axes"][0]["xlabel"] == "Bean size"
        assert described["axes"][0]["ylabel"] == "Toxicity"
        with Image.open(DOCS / name) as im:
            im.seek(getattr(im, "n_frames", 1) - 1)
            shares = docs.key_colours(np.asarray(im.convert("RGB"), dtype=np.float64).reshape(-1, 3))
        assert shares["green"] >= docs.PRESENT and shares["purple"] >= docs.PRESENT, (name, shares)


@pytest.mark.slow
def test_differences_notice_a_changed_label_colour_size_or_frame_count(fresh, tmp_path):
    """The comparison can fail: a picture that differs in any of the things it checks is reported."""
    source = fresh / "beans.png"
    with Image.open(source) as im:
        info = dict(im.info)
        rgb = np.asarray(im.convert("RGB")).copy()
    from PIL.PngImagePlugin import PngInfo

    def save(name, pixels, text):
        meta = PngInfo()
        meta.add_text(docs.METADATA_KEY, text)
        Image.fromarray(pixels).save(tmp_path / name, pnginfo=meta)
        return tmp_path / name

    text = info[docs.METADATA_KEY]
    assert docs.differences(source, save("same.png", rgb, text)) == []
    relabelled = save("label.png", rgb, text.replace("Bean size", "Bean Size"))
    assert any("description" in line for line in docs.differences(source, relabelled))
    green = np.all(np.abs(rgb.astype(int) - [44, 160, 44]) <= 20, axis=-1)
    recoloured = rgb.copy()
    recoloured[green] = [31, 119, 180]  # the old blue beans
    found = docs.differences(source, save("colour.png", recoloured, text))
    assert any("green" in line for line in found) and any("blue" in line for line in found)
    bigger = np.pad(rgb, ((0, 10), (0, 0), (0, 0)), constant_values=255)
    assert any("pixels" in line for line in docs.differences(source, save("size.png", bigger, text)))
    gif = fresh / "training.gif"
    with Image.open(gif) as im:
        im.save(tmp_path / "one.gif")  # its first frame only
    assert any("frames" in line for line in docs.differences(gif, tmp_path / "one.gif"))


def test_gif_comment_is_read_back_and_leaves_the_frames_alone(tmp_path):
    plain = tmp_path / "plain.gif"
    frames = [Image.new("RGB", (40, 30), colour) for colour in ("white", "green", "purple")]
    frames[0].save(plain, save_all=True, append_images=frames[1:], duration=100, loop=0)
    marked = tmp_path / "marked.gif"
    marked.write_bytes(docs.gif_with_comment(plain.read_bytes(), '{"command": "x", "axes": []}' + " " * 400))
    assert docs.read_description(marked)["command"] == "x"
    with Image.open(plain) as a, Image.open(marked) as b:
        assert a.n_frames == b.n_frames
        for k in range(a.n_frames):
            a.seek(k), b.seek(k)
            assert np.array_equal(np.asarray(a.convert("RGB")), np.asarray(b.convert("RGB")))


def _linked_images(text: str) -> set[str]:
    return set(re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text))


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_guide_shows_every_picture_with_its_command(guide):
    """Each guide links only pictures the generator makes, all of its language's, and prints the command of each."""
    text = guide.read_text(encoding="utf-8")
    chinese = guide.name == "guide.zh-CN.md"
    own = {name for name in docs.pictures() if name.startswith("zh-") == chinese}
    # the English pictures that have no Chinese twin (bench.png) are in both guides
    shared = {
        name for run in docs.ENGLISH_RUNS if docs.in_chinese(run) not in docs.CHINESE_RUNS for name in run.pictures
    }
    linked = _linked_images(text)
    assert linked == own | shared, linked ^ (own | shared)
    for name in linked:
        assert docs.pictures()[name].command in text, f"{guide.name} does not print the command of {name}"


def test_unknown_picture_is_a_one_line_usage_error(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "beans.docs", "--out", str(tmp_path), "nope.png"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "Error: no picture named nope.png; the pictures are " + ", ".join(docs.pictures())
    ]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_guide_quotes_what_beans_train_prints_today(guide, tmp_path):
    """Each `beans train` output a guide quotes is printed by that command today (in-process and
    without pictures; tests/test_docs_run.py runs every block as printed, in the slow run)."""
    from docs_blocks import blocks, quoted_lines_missing

    quoting = [
        b for b in blocks(guide.read_text(encoding="utf-8")) if b.quoted and b.commands.startswith("beans train")
    ]
    assert quoting
    for block in quoting:
        printed = ""
        for line in block.commands.splitlines():
            args = [*shlex.split(line)[1:], "--no-plot", "--quiet", "--out", str(tmp_path)]
            result = CliRunner().invoke(app, args)
            assert result.exit_code == 0, result.output
            printed += result.stdout
        missing = quoted_lines_missing(block.quoted, printed)
        assert not missing, f"{guide.name}:{block.line} quotes lines {block.commands!r} no longer prints: {missing}"


def test_describe_reads_every_title_label_and_legend():
    from beans.cli.figures import Figure

    fig = Figure()
    left, right = fig.subplots(1, 2)
    left.set_title("beans bench", loc="left")
    left.set_xlabel("ns per step")
    right.set_title("centre")
    right.set_ylabel("Toxicity")
    right.plot([0, 1], [0, 1], label="network")
    right.legend()
    fig.suptitle("all of it")
    assert docs.describe(fig) == {
        "suptitle": "all of it",
        "axes": [
            {"title": "beans bench", "xlabel": "ns per step", "ylabel": "", "legend": []},
            {"title": "centre", "xlabel": "", "ylabel": "Toxicity", "legend": ["network"]},
        ],
    }
