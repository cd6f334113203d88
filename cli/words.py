"""The words beans' figures and tables are written in, one dict per language (``--lang``).

Every language has the same keys, and each text the same ``{fields}`` (tests/test_words.py
holds them to that); ``words(lang)["key"].format(...)`` fills them in. English is the
default. Chinese needs a font with its characters, which matplotlib does not ship: it comes
from the ``zh`` extra (``FONT_PACKAGE``), and ``cli.figures.use_language`` puts it behind
matplotlib's own font, so Latin letters and digits look the same in both languages.

This module imports neither matplotlib nor the font package: ``--help`` stays fast.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

LANGUAGES = ("en", "zh")

# The CJK font: Noto Sans SC (SIL Open Font License), from a data-only package on PyPI.
FONT_PACKAGE = "pylopdf-fonts-zh-cn"  # as pip names it
FONT_MODULE = "pylopdf_fonts_zh_cn"
FONT_FAMILY = "Noto Sans SC"
NEEDS_FONT = ("zh",)

EN = {
    # beans and curves, every figure
    "bean_size": "Bean size",
    "toxicity": "Toxicity",
    "training_beans": "training beans",
    "held_out_beans": "held-out beans",
    "training_beans_n": "training beans ({n})",
    "held_out_beans_n": "held-out beans ({n})",
    "converged_n": "converged ({n})",
    "failed_n": "failed ({n})",
    "diverged_n": "diverged ({n})",
    # fit.png and loss.png
    "seed_one": "seed {seed}",
    "seed_range": "seeds {first}-{last}",
    "settings_title": "{shape}, {seeds}, {epochs} epochs, lr {lr}, {beans} beans (data seed {data_seed}): "
    "converged {converged} of {total}",
    "best_with_mse": "best: seed {seed} (MSE {mse})",
    "best": "best: seed {seed}",
    "best_held_out": "best: seed {seed}, on the {n} held-out beans",
    "epoch": "epoch",
    "training_mse": "MSE on the training beans",
    "held_out_dashed": ", held-out dashed",
    # neurons.png
    "neuron": "neuron {j}",
    "weight_into_output": "neuron {j}: weight {weight} into the output",
    "from_bean_size": "the bean size",
    "from_layer": "layer {layer}'s outputs",
    "hidden_layer_title": "hidden layer {layer}: {width} {activation}, of {source}",
    "neuron_output": "neuron output",
    "sum_title": "output neuron: weighted inputs and their sum z",
    "before_sigmoid": "before the sigmoid",
    "z_label": "{z} = sum + {bias} ({value})",
    "output_title": "output neuron: the last layer merged",
    "network_output": "network output",
    "neurons_title": "What each neuron computes: {shape}, seed {seed} (MSE {mse}), lr {lr}, {epochs} epochs",
    # the GIF and the live window
    "network": "network",
    "frame_title": "epoch {epoch}   MSE {mse}",
    "gif_title": "{shape}, seed {seed}, lr {lr}, {beans} beans",
    "live_starting": "epoch 0 of {epochs}: starting",
    "live_title": "{shape}, epoch {epoch} of {epochs}, {which} {seed}, MSE {mse}",
    "live_seed": "seed",
    "live_best_seed": "best so far: seed",
    # beans.png
    "beans_title": "Size-Toxicity Function",
    # sweep.png
    "axis_lr": "lr",
    "axis_hidden": "hidden",
    "axis_activation": "activation",
    "axis_beans": "beans",
    "axis_noise": "noise",
    "axis_epochs": "epochs",
    "axis_data_seed": "data seed",
    "axis_curve": "curve",
    "axis_init": "start",
    "axis_data": "data",
    "share_converged": "share of seeds converged",
    "median_epochs": "median epochs to converge",
    "epochs_to_converge": "epochs to converge",
    "share_interval": "converged, 95% interval over {seeds} seeds",
    "median_range": "median, bars p10-p90 of the seeds that converged",
    "sweep_title": "beans sweep: {seeds} seeds per cell",
    "comma": ", ",  # between the settings in a title
    "semicolon": "; ",
    "rows_left_out": " ({left_out} of {total} rows of panels left out: {names} = {values}, ...)",
    # the tables
    "results_title": "beans train: results, best first ({shape})",
    "col_rank": "#",
    "col_seed": "seed",
    "col_final_mse": "final MSE",
    "col_accuracy": "accuracy",
    "col_test_mse": "test MSE",
    "col_test_accuracy": "test acc.",
    "col_converged": "converged",
    "col_epochs_to_converge": "epochs to conv.",
    "status_diverged": "diverged",
    "rows_caption": "{left_out} of {total} rows left out (ranks {first}-{last}); all are in results.json",
    "summary_converged": "{shape} ({params} parameters): converged {converged} of {seeds} (training accuracy >= {bar})",
    "summary_diverged": ", {n} diverged",
    "summary_all_diverged": "all {seeds} seeds diverged: no final MSE to summarise and no best seed",
    "summary_spread": "final MSE  best {best}  median {median}  worst {worst}",
    "summary_spread_of": "  (over the {n} seeds that did not diverge)",
    "summary_interval": "converged share {share}, 95% interval {low} to {high} (Wilson, {seeds} seeds)",
    "held_out_seed": "data seed {data_seed}",
    "held_out_file": "from {path}",
    "held_out_share": "a {share} share of {path}, chosen by data seed {data_seed}",
    "summary_held_out": "held-out {n} beans ({source}): best seed {seed} test MSE {mse}, "
    "test accuracy {accuracy}; median test accuracy {median}",
    "summary_speed": "wall time {time} for {steps} SGD steps, {rate} ({engine} engine)",
    "cells_title": "beans sweep: {cells} cells x {seeds} seeds, best first",
    "col_epochs": "epochs",
    "col_p10_p90": "p10-p90",
    "col_diverged": "diverged",
    "cell_failed": "failed: {reason}",
    "cells_caption": "{left_out} of {total} cells left out; all are in cells.csv",
}

ZH = {
    "bean_size": "豆豆大小",
    "toxicity": "毒性",
    "training_beans": "训练豆豆",
    "held_out_beans": "留出豆豆",
    "training_beans_n": "训练豆豆（{n}）",
    "held_out_beans_n": "留出豆豆（{n}）",
    "converged_n": "收敛（{n}）",
    "failed_n": "未收敛（{n}）",
    "diverged_n": "发散（{n}）",
    "seed_one": "种子 {seed}",
    "seed_range": "种子 {first}-{last}",
    "settings_title": "{shape}，{seeds}，{epochs} 轮，学习率 {lr}，{beans} 颗豆豆（数据种子 {data_seed}）："
    "{total} 个中收敛 {converged} 个",
    "best_with_mse": "最佳：种子 {seed}（MSE {mse}）",
    "best": "最佳：种子 {seed}",
    "best_held_out": "最佳：种子 {seed}，在 {n} 颗留出豆豆上",
    "epoch": "轮次",
    "training_mse": "训练豆豆上的 MSE",
    "held_out_dashed": "，留出豆豆为虚线",
    "neuron": "神经元 {j}",
    "weight_into_output": "神经元 {j}：进入输出的权重 {weight}",
    "from_bean_size": "豆豆大小",
    "from_layer": "第 {layer} 层的输出",
    "hidden_layer_title": "隐藏层 {layer}：{width} 个 {activation}，输入为{source}",
    "neuron_output": "神经元输出",
    "sum_title": "输出神经元：加权输入及其和 z",
    "before_sigmoid": "sigmoid 之前",
    "z_label": "{z} = 和 + {bias}（{value}）",
    "output_title": "输出神经元：合并最后一层",
    "network_output": "网络输出",
    "neurons_title": "每个神经元在计算什么：{shape}，种子 {seed}（MSE {mse}），学习率 {lr}，{epochs} 轮",
    "network": "网络",
    "frame_title": "第 {epoch} 轮   MSE {mse}",
    "gif_title": "{shape}，种子 {seed}，学习率 {lr}，{beans} 颗豆豆",
    "live_starting": "第 0 轮，共 {epochs} 轮：开始",
    "live_title": "{shape}，第 {epoch} 轮，共 {epochs} 轮，{which} {seed}，MSE {mse}",
    "live_seed": "种子",
    "live_best_seed": "目前最佳：种子",
    "beans_title": "大小-毒性函数",
    "axis_lr": "学习率",
    "axis_hidden": "隐藏层",
    "axis_activation": "激活函数",
    "axis_beans": "豆豆数",
    "axis_noise": "噪声",
    "axis_epochs": "轮数",
    "axis_data_seed": "数据种子",
    "axis_curve": "曲线",
    "axis_init": "初始值",
    "axis_data": "数据文件",
    "share_converged": "收敛的种子比例",
    "median_epochs": "收敛所需轮数的中位数",
    "epochs_to_converge": "收敛所需轮数",
    "share_interval": "收敛比例，{seeds} 个种子的 95% 区间",
    "median_range": "中位数，误差棒为收敛种子的 p10-p90",
    "sweep_title": "beans sweep：每格 {seeds} 个种子",
    "comma": "，",
    "semicolon": "；",
    "rows_left_out": "（{total} 行面板中略去 {left_out} 行：{names} = {values}，……）",
    "results_title": "beans train：结果，最佳在前（{shape}）",
    "col_rank": "#",
    "col_seed": "种子",
    "col_final_mse": "最终 MSE",
    "col_accuracy": "准确率",
    "col_test_mse": "测试 MSE",
    "col_test_accuracy": "测试准确率",
    "col_converged": "收敛",
    "col_epochs_to_converge": "收敛轮数",
    "status_diverged": "发散",
    "rows_caption": "{total} 行中略去 {left_out} 行（名次 {first}-{last}）；全部见 results.json",
    "summary_converged": "{shape}（{params} 个参数）：{seeds} 个中收敛 {converged} 个（训练准确率 >= {bar}）",
    "summary_diverged": "，{n} 个发散",
    "summary_all_diverged": "{seeds} 个种子全部发散：没有可汇总的最终 MSE，也没有最佳种子",
    "summary_spread": "最终 MSE  最佳 {best}  中位数 {median}  最差 {worst}",
    "summary_spread_of": "  （统计未发散的 {n} 个种子）",
    "summary_interval": "收敛比例 {share}，95% 区间 {low} 到 {high}（Wilson 区间，{seeds} 个种子）",
    "held_out_seed": "数据种子 {data_seed}",
    "held_out_file": "来自 {path}",
    "held_out_share": "{path} 中按数据种子 {data_seed} 选出的 {share} 份",
    "summary_held_out": "留出 {n} 颗豆豆（{source}）：最佳种子 {seed} 测试 MSE {mse}，"
    "测试准确率 {accuracy}；测试准确率中位数 {median}",
    "summary_speed": "用时 {time}，{steps} 步 SGD，{rate}（{engine} 引擎）",
    "cells_title": "beans sweep：{cells} 格 x {seeds} 个种子，最佳在前",
    "col_epochs": "轮数",
    "col_p10_p90": "p10-p90",
    "col_diverged": "发散",
    "cell_failed": "失败：{reason}",
    "cells_caption": "{total} 格中略去 {left_out} 格；全部见 cells.csv",
}

WORDS = {"en": EN, "zh": ZH}


def words(lang: str = "en") -> dict[str, str]:
    """The texts of ``lang`` (one of ``LANGUAGES``), by key."""
    return WORDS[lang]


def axis_name(name: str, lang: str = "en") -> str:
    """A sweep axis (``lr``, ``data_seed``, ...) as ``lang`` writes it."""
    return WORDS[lang][f"axis_{name}"]


def missing_font(lang: str) -> str | None:
    """Why ``lang`` cannot be drawn here (its font package is not installed), or None when it can."""
    if lang not in NEEDS_FONT or importlib.util.find_spec(FONT_MODULE) is not None:
        return None
    return f"{lang} needs a font with Chinese characters: pip install 'beans[zh]' (or pip install {FONT_PACKAGE})"


def font_path() -> Path:
    """The CJK font file (Noto Sans SC) of ``FONT_PACKAGE``; ImportError when it is not installed."""
    import importlib

    return Path(importlib.import_module(FONT_MODULE).sans_path())
