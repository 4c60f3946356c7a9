"""The words of the tour's figures in Chinese: (pattern, replacement) pairs, applied to every
text artist of a figure drawn for the zh page (`translate_figure`).

The plotting code writes English; rather than thread a language through every drawing
function, the tour rewrites the finished figure's texts. Patterns are whole-text regular
expressions (numbers captured and kept), so a text the table does not know stays as it is
and a test lists it. Mathematics inside $…$ is kept as it is (mathtext has no CJK glyphs).
"""

from __future__ import annotations

import re
from typing import Any

ZH: list[tuple[str, str]] = [
    (r"x \(the input\)", "x（输入）"),
    (r"output", "输出"),
    (r"A model is a function: its parameters Θ decide which one", "模型就是函数：参数 Θ 决定是哪一个"),
    (r"ground truth G\(x\)(.*)", r"理想函数 G(x)\1"),
    (r"(\$F\(\\Theta_\d, x\)\$): the same network, parameters (\$\\Theta_\d\$)", r"\1：同一个网络，参数取 \2"),
    (r"Neurons f\(θᵢ, x\) = σ\(w·x \+ b\) wired together", "把神经元 f(θᵢ, x) = σ(w·x + b) 连接起来"),
    (r"(\$F\(\\Theta, x_1, x_2\)\$) over its inputs", r"\1 在整个输入平面上的取值"),
    (r"same weights, rewired: f4 reads f1", "权重不变、改一根连线：f4 改读 f1"),
    (r"arm: leaks (.*)", r"臂：漏出 \1"),
    (r"one tower: 5 sigmoid neurons", "一个高台：5 个 sigmoid 神经元"),
    (r"four towers added: 20 neurons\n\(a stepped hill\)", "四个高台相加：20 个神经元\n（阶梯状的小山）"),
    (r"prediction (\$\\hat y\$)", r"预测值 \1"),
    (r"The loss: how wrong is the prediction\?", "损失函数：预测错了多少？"),
    (r"the network's (\$\\hat y\$) = (.*)", r"网络的 \1 = \2"),
    (r"truth y = (.*): L = 0", r"真实值 y = \1：L = 0"),
    (r"parameter θ = (.*)", r"参数 θ = \1"),
    (r"loss L", "损失 L"),
    (r"The loss as a function of one parameter", "损失作为一个参数的函数"),
    (r"L as this parameter varies", "只改变这个参数时的 L"),
    (r"now", "当前位置"),
    (r"slope (.*) = (.*) \(backprop\)", r"斜率 \1 = \2（反向传播）"),
    (r"x\nafter (\d+) steps: x = (.*)\nslope left: (.*) of its largest\nturned back on (.*) of the steps",
     r"x\n\1 步后：x = \2\n剩余斜率：最大值的 \3\n\4 的步子折返"),
    (r"x\nx flew off \(\|x\| > 10⁶\)", "x\nx 飞出了范围（|x| > 10⁶）"),
    (r"(\$\\eta\$ = .*): too small", r"\1：太小"),
    (r"(\$\\eta\$ = .*): good", r"\1：合适"),
    (r"(\$\\eta\$ = .*): too large", r"\1：太大"),
    (r"start (\$x_0\$)", r"起点 \1"),
    (r"after (\d+) steps", r"\1 步之后"),
    (r"some steps leave the plot", "有些步子跑出了图外"),
    (r"Gradient descent (.*) on h\(x\) = (.*)", r"梯度下降 \1，h(x) = \2"),
    (r"Backpropagation, from the loss back to the inputs", "反向传播：从损失一路传回输入"),
    (r"a node: its value and (.*)node", r"节点：它的值和 \1节点"),
    (r"red ×: the local factor (.*)child/(.*)parent", r"红色 ×：局部因子 \1子节点/\2父节点"),
    (r"distance θ moves: (.*)", r"θ 移动的距离：\1"),
    (r"One step of gradient descent on the network", "网络上的一步梯度下降"),
    (r"step size s \(the step taken: s = (\$\\eta\$)\)", r"步长系数 s（实际一步：s = \1）"),
    (r"tangent: (.*)", r"切线：\1"),
    (r"before: L = (.*)", r"之前：L = \1"),
    (r"after the step (.*): L = (.*)", r"走完这一步 \1：L = \2"),
    (r"value", "数值"),
    (r"Every parameter moves against its gradient", "每个参数都逆着自己的梯度移动"),
    (r"(\$\\theta\$) before", r"之前的 \1"),
    (r"After training: F follows G", "训练之后：F 贴近 G"),
    (r"F after (\d+) steps of gradient descent", r"普通梯度下降 \1 步后的 F"),
    (r"F after (\d+) steps of Adam", r"Adam \1 步后的 F"),
    (r"step \(one update of every parameter\)", "步数（每步更新全部参数一次）"),
    (r"training loss L \(log scale\)", "训练损失 L（对数坐标）"),
    (r"The loss, step by step", "损失逐步下降"),
    (r"gradient descent, (.*)", r"普通梯度下降，\1"),
]
COMPILED = [(re.compile(pattern, re.S), replacement) for pattern, replacement in ZH]

# mathtext cannot draw CJK words next to its mathematics, so a translated label that mixes
# them writes the mathematics in Unicode instead (plain text, drawn with font fallback).
TEX = [(r"\\hat\s*\{?y\}?", "ŷ"), (r"\\leftarrow", "←"), (r"\\partial ?", "∂"), (r"\\Sigma", "Σ"),
       (r"\\Vert", "‖"), (r"\\eta", "η"), (r"\\theta", "θ"), (r"\\Theta", "Θ"), (r"\\cdot", "·"),
       (r"\\, ?", " "), (r" - ", " − "), (r"\^2", "²"), (r"_\{?(\d)\}?", lambda m: "₀₁₂₃₄₅₆₇₈₉"[int(m.group(1))]),
       (r"\\mathdefault\{(.*?)\}", r"\1"), (r"[${}]", "")]


def plain_mathematics(text: str) -> str:
    """`text` with its $…$ mathematics written in Unicode (η, ŷ, ∂L/∂θ, x₀, …)."""
    def convert(match: re.Match[str]) -> str:
        inner = match.group(0)
        for pattern, replacement in TEX:
            inner = re.sub(pattern, replacement, inner)
        return inner

    return re.sub(r"\$[^$]*\$", convert, text)


def translate(text: str) -> str:
    """`text` in Chinese if a pattern matches all of it, else unchanged."""
    for pattern, replacement in COMPILED:
        if pattern.fullmatch(text):
            return plain_mathematics(pattern.sub(replacement, text))
    return text


def translate_figure(figure: Any) -> None:
    """Rewrite every text artist of `figure` (titles, labels, legends, notes) in Chinese."""
    from matplotlib.text import Text

    for artist in figure.findobj(Text):
        text = artist.get_text()
        if text:
            artist.set_text(translate(text))
