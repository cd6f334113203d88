"""The words of ``beans explain`` and ``beans check``, in English and in Chinese (``--lang zh``)."""

from __future__ import annotations

LANGS = ("en", "zh")

WORDS = {
    "en": {
        "bean": "The bean",
        "size": "size x",
        "toxicity": "toxicity y",
        "index": "index",
        "params_before": "Parameters before the step (epoch {epoch})",
        "forward": "Forward pass",
        "error": "error e = (y - a)²",
        "partials": "Partial derivatives of the chain rule",
        "deltas": "Deltas de/dz, from the output back",
        "gradients": "Gradients, each beside a finite-difference check",
        "update": "The update, p - alpha * de/dp (alpha = {lr:g})",
        "name": "name",
        "value": "value",
        "gradient": "gradient",
        "finite": "finite difference",
        "agree": "agree",
        "before": "before",
        "after": "after",
        "trained": "After {epochs:,} epochs of training",
        "edge_left": "neuron {j} of layer 1: a step at size {at:.2f} that raises the output: the hill's left edge",
        "edge_right": "neuron {j} of layer 1: a step at size {at:.2f} that lowers the output: the hill's right edge",
        "edge_outside": "neuron {j} of layer 1: its step, at size {at:.2f}, lies outside the beans (0 to 2): "
        "it only tilts the output",
        "edge_none": "neuron {j} of layer 1: a weight of 0, so the same value for every bean",
        "output_neuron": "the output neuron adds them up with its weights and squashes the sum into 0..1",
        "deeper": "the later layers combine the steps of the layers below",
        "matches": "{script}: matches the lesson ({names} names compared over {samples:,} steps, {epochs} epoch(s)).",
        "not_compared": "not found, so not compared: {names}",
        "differs": "{script}: differs from the lesson at {name}, epoch {epoch}, bean {bean}.",
        "yours": "your value",
        "lessons": "the lesson's",
        "your_error": "{script} stopped with its own error:",
        "timeout": "{script} did not finish {epochs} epoch(s) within {limit:g} s and was stopped; "
        "is a loop endless? Try --time-limit or fewer --epochs.",
        "no_loop": "{script} does not follow the lesson: found no module-level loop that updates "
        "the parameters. beans check looks for these names: {names}.",
        "names": "{script} does not follow the lesson: it has no {missing}. "
        "beans check looks for these names: {names}.",
        "wrote": "wrote {path}",
        "try": "try it: beans check {path}",
        # hints: what a difference usually means
        "hint_uses": "{name} is computed from {used}; the lesson uses {lesson}",
        "hint_missing_factor": "{name} leaves out the factor {factor}",
        "hint_missing_term": "{name} leaves out the term {term}",
        "hint_sign": "{name} has the wrong sign; the lesson has {line}",
        "hint_dsigmoid_plus": "{name} is written {a} * (1 + {a}); the sigmoid's derivative is {a} * (1 - {a})",
        "hint_sigmoid_sign": "{name} is sigmoid(-{z}); the sigmoid is 1 / (1 + np.exp(-{z}))",
        "hint_alpha": "alpha is {value:g}; the lesson's learning rate is {lesson:g}",
        "hint_update_sign": "{name} is updated with + alpha * {grad}; gradient descent subtracts: "
        "{name} - alpha * {grad}",
        "hint_update_rate": "{name} moves by {rate:.4g} × {grad}; the lesson's step is alpha = 0.03",
        "hint_not_a_number": "{name} is a {type}, not one number; the lesson has {line}",
        "hint_line": "the lesson has {line}",
    },
    "zh": {
        "bean": "这颗豆豆",
        "size": "大小 x",
        "toxicity": "毒性 y",
        "index": "序号",
        "params_before": "这一步之前的参数(第 {epoch} 轮)",
        "forward": "前向传播",
        "error": "误差代价 e = (y - a)²",
        "partials": "链式法则里的各个偏导数",
        "deltas": "各神经元的 de/dz,从输出往回算",
        "gradients": "梯度,旁边是有限差分的核对",
        "update": "更新:p - alpha * de/dp(alpha = {lr:g})",
        "name": "名字",
        "value": "数值",
        "gradient": "梯度",
        "finite": "有限差分",
        "agree": "一致",
        "before": "之前",
        "after": "之后",
        "trained": "训练 {epochs:,} 轮之后",
        "edge_left": "第 1 层第 {j} 个神经元:在大小 {at:.2f} 处的台阶,让输出升高,是山丘的左边缘",
        "edge_right": "第 1 层第 {j} 个神经元:在大小 {at:.2f} 处的台阶,让输出降低,是山丘的右边缘",
        "edge_outside": "第 1 层第 {j} 个神经元:台阶在大小 {at:.2f} 处,不在豆豆的范围(0 到 2)里,只让输出倾斜",
        "edge_none": "第 1 层第 {j} 个神经元:权重为 0,对每颗豆豆输出都一样",
        "output_neuron": "输出神经元按各自的权重把它们加起来,再压到 0 到 1 之间",
        "deeper": "后面的层把前一层的台阶组合起来",
        "matches": "{script}:和课程一致(比较了 {names} 个名字,共 {samples:,} 步,{epochs} 轮)。",
        "not_compared": "没有找到、因此没有比较的名字:{names}",
        "differs": "{script}:在 {name} 处和课程不同,第 {epoch} 轮,第 {bean} 颗豆豆。",
        "yours": "你的值",
        "lessons": "课程的值",
        "your_error": "{script} 因为它自己的错误停止了:",
        "timeout": "{script} 没能在 {limit:g} 秒内跑完 {epochs} 轮,已被停止;是不是有死循环?"
        "试试 --time-limit 或更少的 --epochs。",
        "no_loop": "{script} 没有按课程来写:找不到在模块顶层更新参数的循环。beans check 找的是这些名字:{names}。",
        "names": "{script} 没有按课程来写:缺少 {missing}。beans check 找的是这些名字:{names}。",
        "wrote": "已写入 {path}",
        "try": "试试:beans check {path}",
        "hint_uses": "{name} 是用 {used} 算的;课程用的是 {lesson}",
        "hint_missing_factor": "{name} 少乘了因子 {factor}",
        "hint_missing_term": "{name} 少加了一项 {term}",
        "hint_sign": "{name} 的符号反了;课程写的是 {line}",
        "hint_dsigmoid_plus": "{name} 写成了 {a} * (1 + {a});sigmoid 的导数是 {a} * (1 - {a})",
        "hint_sigmoid_sign": "{name} 算成了 sigmoid(-{z});sigmoid 是 1 / (1 + np.exp(-{z}))",
        "hint_alpha": "alpha 是 {value:g};课程的学习率是 {lesson:g}",
        "hint_update_sign": "{name} 更新时用了 + alpha * {grad};梯度下降要减去:{name} - alpha * {grad}",
        "hint_update_rate": "{name} 移动了 {rate:.4g} × {grad};课程的步长是 alpha = 0.03",
        "hint_not_a_number": "{name} 是一个 {type},不是一个数;课程写的是 {line}",
        "hint_line": "课程写的是 {line}",
    },
}


def words(lang: str):
    """A function that fills in the sentence ``key`` of language ``lang``: ``say("matches", script=...)``."""
    table = WORDS[lang]

    def say(key: str, **args) -> str:
        return table[key].format(**args)

    return say
