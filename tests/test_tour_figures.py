"""The tour's figures, read back from the matplotlib objects the tour draws: titles, axis
labels, limits and data, and the η and optimizer of steps 7–8 (issue 17)."""

from __future__ import annotations

import numpy as np
import pytest

from nnwork.explain import run_tour, tour
from nnwork.explain.step import gradient_step
from nnwork.explain.training import train_two_ways
from nnwork import functional as F
from nnwork.nn import MLP
from nnwork.tensor import Tensor


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """{lang: ({figure file name: Figure}, TourResult)} for one run of the tour per language."""
    import logging

    class Keep(logging.Handler):
        def emit(self, record):
            complaints.append(record.getMessage())

    complaints: list[str] = []
    handler = Keep(logging.WARNING)
    logging.getLogger("matplotlib").addHandler(handler)
    result = {"complaints": complaints}
    for lang in ("en", "zh"):
        figures = {}
        original = tour._save

        def keep(figure, path, figures=figures, original=original):
            figures[path.name] = figure
            return original(figure, path)

        tour._save = keep
        try:
            out = tmp_path_factory.mktemp(lang)
            result[lang] = (figures, run_tour(out, lang))
        finally:
            tour._save = original
    logging.getLogger("matplotlib").removeHandler(handler)
    return result


def texts(result):
    return {s.key: s.text for s in result.steps}


def test_step_7_plots_the_distance_theta_moves_and_explains_its_eta(drawn):
    figures, result = drawn["en"]
    left = figures["07_step.png"].axes[0]
    assert "distance θ moves" in left.get_xlabel() and "Vert" in left.get_xlabel()
    _, report = gradient_step()
    star = next(line for line in left.get_lines() if line.get_marker() == "*")
    assert star.get_xdata()[0] == pytest.approx(report.lr * report.gradient_norm)
    assert report.lr * report.gradient_norm == pytest.approx(0.35, abs=0.01)  # the figure
    tops = [a for a in left.child_axes if "step size s" in a.get_xlabel()]
    assert len(tops) == 1  # s itself on the top axis
    text = texts(result)["step"]
    assert "η = 2" in text and "too large" in text and f"{report.gradient_norm:.3g}" in text
    assert "η·‖∂L/∂θ‖ = 0.35" in text
    assert "η = 0.2 太大" in texts(drawn["zh"][1])["step"]


def test_step_8_trains_with_plain_gradient_descent_and_shows_adam_beside_it(drawn):
    figures, result = drawn["en"]
    right = figures["08_fit.png"].axes[1]
    labels = [line.get_label() for line in right.get_lines()]
    assert labels == [r"gradient descent, $\eta$ = 0.03", r"Adam, $\eta$ = 0.005"]
    gd_loss = right.get_lines()[0].get_ydata()
    assert np.all(np.diff(gd_loss) < 0)  # plain descent with this η: the loss falls at every step
    assert "as gradient descent runs" not in right.get_title()
    text = texts(result)["fit"]
    assert "plain gradient descent" in text and "Adam is a refinement" in text and "η = 0.03" in text
    assert "普通梯度下降" in texts(drawn["zh"][1])["fit"]


def test_the_gradient_descent_run_is_step_7_repeated():
    def target(x):
        return np.sin(2 * x) + x / 2

    _, (gd, adam) = train_two_ways(target, (-3.0, 3.0), sizes=(1, 4, 1), samples=16, steps=3, gd_lr=0.03)
    net = MLP([1, 4, 1], "tanh", generator=0, dtype=np.float64)
    x = np.linspace(-3.0, 3.0, 16)[:, None]
    for k in range(3):  # θ ← θ − η·∂L/∂θ by hand, on the full batch
        net.zero_grad()
        loss = F.mse_loss(net(Tensor(x)), Tensor(target(x)))
        loss.backward()
        assert gd.loss[k] == pytest.approx(loss.item(), rel=1e-12)
        for p in net.parameters():
            p.data -= 0.03 * p.grad
    assert (gd.optimizer, adam.optimizer) == ("gradient descent", "Adam")
    assert adam.loss[0] == gd.loss[0] and adam.loss[2] != gd.loss[2]  # same start, other steps


def test_the_loss_figure_keeps_to_a_sigmoids_range_and_above_zero(drawn):
    left, right = drawn["en"][0]["04_loss.png"].axes[:2]
    assert left.get_xlim() == (0.0, 1.0) and left.get_ylim()[0] == 0.0
    assert right.get_ylim()[0] == 0.0
    for line in right.get_lines():
        assert np.min(line.get_ydata()) >= -1e-12, line.get_label()


def test_the_network_figure_shows_the_wiring_and_a_rewiring(drawn):
    fig = drawn["en"][0]["02_network.png"]
    meshes = [ax.collections[0].get_array() for ax in fig.axes[1:3]]
    assert np.ptp(meshes[0]) > 0.5  # not flat: the shape shows
    assert np.max(np.abs(meshes[0] - meshes[1])) > 0.3  # another wiring, another function
    assert "rewired" in fig.axes[2].get_title()


def test_the_universality_claim_names_its_bounded_domain(drawn):
    assert "bounded (compact) domain" in texts(drawn["en"][1])["towers"]
    assert "有界（紧）的定义域" in texts(drawn["zh"][1])["towers"]


def test_a_1d_target_figure_is_titled_as_the_target():
    from nnwork.plot.towers import approximation_figures
    from nnwork.targets import parse
    from nnwork.towers.approximation import approximate
    from nnwork.towers.views import approximation_view

    G = parse("sin(3*x)")
    net, _ = approximate(G, [(-1.0, 1.0)], eps=0.05)
    figures = approximation_figures(approximation_view(G, net, [(-1.0, 1.0)]))
    assert figures["target"].axes[0].get_title() == "target G(x)"
    assert "max |error|" in figures["error"].axes[0].get_title()


def on_screen_points(figure, text) -> float:
    """The size in pt at which the page shows `text`: the PNG is figure-width × DPI pixels, the
    page shows it at that many CSS px but never wider than its column (PAGE_WIDTH)."""
    width_px = figure.get_figwidth() * tour.DPI
    shown = min(width_px, tour.PAGE_WIDTH)
    return text.get_fontsize() * (tour.DPI / 72) * (shown / width_px) * 0.75  # 1 CSS px = 0.75 pt


def test_every_text_of_every_figure_reads_at_9_pt_or_more_on_the_page(drawn):
    from matplotlib.text import Text

    for lang in ("en", "zh"):
        figures, _ = drawn[lang]
        assert len(figures) >= 8
        smallest = []
        for name, figure in figures.items():
            for text in figure.findobj(Text):
                if text.get_visible() and text.get_text().strip():
                    smallest.append((on_screen_points(figure, text), name, text.get_text()))
        assert min(smallest)[0] >= 9.0, min(smallest)


def test_one_chain_rule_factor_is_worked_out_with_the_numbers_of_the_figure(drawn):
    import re

    text = texts(drawn["en"][1])["backprop"]
    assert "w·σ′(z)" in text and "σ′(z) = σ(z)(1 − σ(z))" in text
    f5, one_minus, slope = map(float, re.search(r"σ′ = ([\d.]+) × ([\d.]+) = ([\d.]+)", text).groups())
    w, slope_again, factor = map(float, re.search(r"(-?[\d.]+) × ([\d.]+) = (-?[\d.]+)\. All", text).groups())
    assert one_minus == pytest.approx(1 - f5, abs=1e-4) and slope == pytest.approx(f5 * one_minus, abs=1e-4)
    assert slope_again == slope and factor == pytest.approx(w * slope, abs=2e-4)
    figure = drawn["en"][0]["06_backprop.png"]
    assert f"×{factor:.3g}" in [t.get_text() for t in figure.axes[0].texts]  # the arrow's red number
    assert "σ′(z) = σ(z)(1 − σ(z))" in texts(drawn["zh"][1])["backprop"]


def test_descent_panels_share_their_x_range_number_their_steps_and_say_what_they_show(drawn):
    axes = drawn["en"][0]["05_descent.png"].axes
    assert len({ax.get_xlim() for ax in axes}) == 1
    for ax in axes:
        numbers = [t.get_text() for t in ax.texts if t.get_text().isdigit()]
        assert numbers[:3] == ["1", "2", "3"]
        assert "|h'| fell" not in ax.get_xlabel() and ("steps" in ax.get_xlabel() or "flew off" in ax.get_xlabel())


@pytest.mark.parametrize("code, shown", [
    ("x^4 - 3*x^2 + x", "x⁴ − 3x² + x"), ("sin(2*x) + x/2", "sin(2x) + x/2"), ("exp(-x^2)", "exp(−x²)"),
    ("x**(-1) * y", "x⁻¹·y"), ("x^y", "x^y"),
])
def test_formulas_are_typeset_in_unicode(code, shown):
    from nnwork.explain.typeset import typeset

    assert typeset(code) == shown


def test_the_page_and_its_figures_write_no_code_syntax(drawn):
    for lang in ("en", "zh"):
        figures, result = drawn[lang]
        page = result.html.read_text(encoding="utf-8")
        assert "x⁴ − 3x² + x" in page and "sin(2x) + x/2" in page
        assert "3*x" not in page and "x^4" not in page and "2*x" not in page
        assert "x⁴ − 3x² + x" in figures["05_descent.png"]._suptitle.get_text()


def test_tower_surfaces_have_z_labels_colour_bars_and_point_out_the_arms(drawn):
    from nnwork import towers

    fig = drawn["en"][0]["03_towers.png"]
    surfaces = [ax for ax in fig.axes if ax.name == "3d"]
    assert len(surfaces) == 2 and all(ax.get_zlabel() == "F(x, y)" for ax in surfaces)
    assert len(fig.axes) == 4  # a colour bar for each surface
    leak = towers.arm_leak(towers.original_tower())
    assert leak == pytest.approx(0.0474, abs=1e-4)
    assert f"arm: leaks {leak:.1%}" in [t.get_text() for t in surfaces[0].texts]
    text = texts(drawn["en"][1])["towers"]
    assert "arms" in text and f"{leak:.1%}" in text and "hill" in text


def test_zh_figures_are_drawn_in_chinese_with_the_shipped_font(drawn):
    from matplotlib.text import Text

    from nnwork.fonts import cjk_characters

    assert drawn["complaints"] == []  # e.g. no "Font 'default' does not have a glyph for '下'"
    en, zh = drawn["en"][0], drawn["zh"][0]
    assert sorted(en) == sorted(zh)
    for name, figure in zh.items():
        assert (drawn["zh"][1].html.parent / name).read_bytes() != (drawn["en"][1].html.parent / name).read_bytes()
        titles = [ax.get_title() for ax in figure.axes if ax.get_title()]
        titles += [figure._suptitle.get_text()] if figure._suptitle else []
        assert titles and all(cjk_characters(t) for t in titles), (name, titles)
        for text in figure.findobj(Text):
            if cjk_characters(text.get_text()):  # mathtext has no CJK: no TeX left next to Chinese
                assert "$" not in text.get_text() and "\\" not in text.get_text(), (name, text.get_text())


def test_the_zh_page_uses_the_articles_terms_and_describes_each_figure(drawn):
    import re

    page = drawn["zh"][1].html.read_text(encoding="utf-8")
    for term in ("学习率（又称学习速率）", "理想函数 G(x)（ground truth）", "损失函数",
                 "下面的评语都是程序根据各自运行的数值自动给出的", "一个结构为 1-32-32-1、激活函数为 tanh 的网络"):
        assert term in page, term
    assert "真值 G(x)" not in page and "只根据这次运行的数值来判断" not in page
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", page)
    assert len(captions) == 8
    for number, caption in enumerate(captions, start=1):
        assert caption.startswith(f"图 {number}：") and ".png" not in caption and len(caption) > 15
    english = re.findall(r"<figcaption>(.*?)</figcaption>", drawn["en"][1].html.read_text(encoding="utf-8"))
    assert english[0].startswith("Figure 1: ") and ".png" not in english[0]
