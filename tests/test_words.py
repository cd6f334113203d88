"""--lang (beans.cli.words): the same texts in every language, every Chinese glyph drawn, or a clear error."""

from __future__ import annotations

import string
import warnings

import numpy as np
import pytest
from beans.cli.app import app
from beans.cli.words import EN, FONT_FAMILY, LANGUAGES, WORDS, ZH, font_path
from PIL import Image
from typer.testing import CliRunner

runner = CliRunner()


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_every_language_has_the_same_keys_and_fields():
    assert tuple(WORDS) == LANGUAGES
    for lang, texts in WORDS.items():
        assert texts.keys() == EN.keys(), (lang, texts.keys() ^ EN.keys())
        for key, text in texts.items():
            assert _fields(text) == _fields(EN[key]), (lang, key)


def test_every_chinese_character_is_in_a_font_matplotlib_draws_with():
    """No box: each character of the Chinese texts is in DejaVu Sans (matplotlib's) or the CJK font."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    dejavu = FT2Font(font_manager.findfont("DejaVu Sans", fallback_to_default=False)).get_charmap()
    cjk = FT2Font(str(font_path())).get_charmap()
    assert FT2Font(str(font_path())).family_name == FONT_FAMILY
    missing = {ch for text in ZH.values() for ch in text if ord(ch) not in dejavu and ord(ch) not in cjk}
    assert not missing, missing


@pytest.fixture(scope="module")
def drawn_in_chinese(tmp_path_factory):
    """train, data and two sweeps with --lang zh, figures drawn in this process: (folder, results, warnings)."""
    from beans.cli.figure_process import drawn_here

    out = tmp_path_factory.mktemp("zh")
    commands = {
        "train": ["train", "--seeds", "4", "--epochs", "300", "--out", str(out / "train")]
        + ["--animate", str(out / "train" / "training.gif")],
        "data": ["data", "--out", str(out / "beans.png")],
        "sweep-line": ["sweep", "--lr", "0.03,0.3", "--seeds", "4", "--epochs", "300", "--out", str(out / "line")],
        "sweep-heat": ["sweep", "--lr", "0.03,0.3", "--beans", "20,40", "--seeds", "4", "--epochs", "300"]
        + ["--out", str(out / "heat")],
    }
    results = {}
    with drawn_here(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name, args in commands.items():
            results[name] = runner.invoke(app, [*args, "--lang", "zh", "--quiet"])
            assert results[name].exit_code == 0, (name, results[name].output)
    return out, results, [str(w.message) for w in caught]


def test_chinese_figures_draw_without_a_missing_glyph(drawn_in_chinese):
    _, _, caught = drawn_in_chinese
    assert not [message for message in caught if "Glyph" in message or "missing from font" in message]


@pytest.mark.parametrize(
    "picture",
    ["train/fit.png", "train/loss.png", "train/neurons.png", "train/training.gif", "beans.png"]
    + ["line/sweep.png", "heat/sweep.png"],
)
def test_chinese_pictures_read_back(drawn_in_chinese, picture):
    out, _, _ = drawn_in_chinese
    with Image.open(out / picture) as image:
        assert image.width > 300 and image.height > 200
        image.seek(getattr(image, "n_frames", 1) - 1)
        rgb = np.asarray(image.convert("RGB"), dtype=np.float64)
    assert rgb.std() > 10  # drawn, not a blank page


def test_the_figures_words_are_chinese():
    """What each figure says, in Chinese: titles, axis labels and legends."""
    from beans.cli.figure_data import figure_data
    from beans.cli.neurons import neurons_figure
    from beans.cli.plots import fit_figure, loss_figure

    import beans

    data = figure_data(beans.train(seeds=(0, 1), epochs=300), lang="zh")
    fit, loss, neurons = fit_figure(data), loss_figure(data), neurons_figure(data)
    assert (fit.axes[0].get_xlabel(), fit.axes[0].get_ylabel()) == (ZH["bean_size"], ZH["toxicity"])
    assert "种子 0-1" in fit.get_suptitle() and "学习率 0.03" in fit.get_suptitle()
    assert loss.axes[0].get_xlabel() == ZH["epoch"]
    assert any(text.get_text().startswith("最佳：种子") for text in loss.axes[0].get_legend().get_texts())
    assert neurons.get_suptitle().startswith("每个神经元在计算什么：1-2-1 sigmoid")
    assert neurons.axes[1].get_title() == ZH["sum_title"]


def test_the_printed_table_and_summary_are_chinese(drawn_in_chinese):
    _, results, _ = drawn_in_chinese
    printed = results["train"].stdout
    assert "beans train：结果，最佳在前（1-2-1 sigmoid）" in printed
    assert "最终 MSE" in printed and "准确率" in printed
    assert "1-2-1 sigmoid（7 个参数）：4 个中收敛" in printed
    assert "beans sweep：4 格 x 4 个种子，最佳在前" in results["sweep-heat"].stdout


def test_the_live_windows_words_are_chinese():
    import beans.cli.figures  # noqa: F401  (selects Agg: no window, even where there is a display)
    import matplotlib.pyplot as plt
    from beans.cli.live import LiveWindow

    import beans

    run = beans.train(seeds=(0, 1), epochs=200, record_params=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        window = LiveWindow(plt, run.xs, run.ys, run.config.seeds, None, 200, (), (), run.config.shape, lang="zh")
        try:
            assert window.title.get_text() == "第 0 轮，共 200 轮：开始"
            window.draw((200, run.params, run.final_mse))
            assert "第 200 轮，共 200 轮，目前最佳：种子" in window.title.get_text()
            window.fig.canvas.draw()
        finally:
            plt.close(window.fig)
    assert not [str(w.message) for w in caught if "Glyph" in str(w.message)]


def test_english_is_the_default(tmp_path):
    result = runner.invoke(app, ["train", "--seeds", "2", "--epochs", "50", "--no-plot", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "beans train: results, best first" in result.stdout and "结果" not in result.stdout


def test_an_unknown_language_is_a_one_line_usage_error(tmp_path):
    for command in (["train"], ["data"], ["sweep"]):
        result = runner.invoke(app, [*command, "--lang", "fr", "--out", str(tmp_path / "x")])
        assert result.exit_code == 2
        assert result.output.strip().splitlines() == [
            "Error: Invalid value for '--lang': must be one of en, zh; got 'fr'"
        ]
    assert not (tmp_path / "x").exists()


def test_without_the_font_package_zh_says_what_to_install(monkeypatch, tmp_path):
    """As where the zh extra is not installed: the font's module cannot be found."""
    monkeypatch.setattr("beans.cli.words.FONT_MODULE", "beans_no_such_font_package")
    for command in (["train", "--seeds", "2"], ["data"], ["sweep"]):
        result = runner.invoke(app, [*command, "--lang", "zh", "--out", str(tmp_path / "x")])
        assert result.exit_code == 2
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: Invalid value for '--lang': zh needs a font"), lines
        assert "pip install 'beans[zh]'" in lines[0] and "pylopdf-fonts-zh-cn" in lines[0]
    assert not (tmp_path / "x").exists()
