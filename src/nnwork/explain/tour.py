"""The tour: the whole explanation, run end to end, a figure and a short text for each step.

    a model is a function → a network of neurons → towers approximate any function → the loss
    → gradient descent in 1-D → backpropagation → one step downhill → training a network to fit G

`run_tour(out, lang)` computes every step with the library itself (nothing is pre-drawn),
has `nnwork.plot` draw each one, writes one PNG per step (the names are the tour's) and
`tour.html`, a single self-contained page showing them in order.
The texts exist in English and Chinese (`tour_text.py`); the figures are the same for both.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import numpy as np

from nnwork._grad_mode import no_grad
from nnwork.explain import descent as gd
from nnwork.explain import html as page
from nnwork.explain.backprop import DEFAULT_X, DEFAULT_Y, default_network, walk_backprop
from nnwork.explain.step import gradient_step, loss_along
from nnwork.explain.typeset import typeset
from nnwork.explain.tour_text import CAPTIONS, LANGUAGES, PAGE, STEPS, VERDICTS
from nnwork.nn import MLP
from nnwork.tensor import Tensor

TARGET = "sin(2*x) + x/2"  # the G of the first and last steps, on [−3, 3]
DOMAIN = (-3.0, 3.0)
TARGET_SHOWN = typeset(TARGET)  # as the page writes it: sin(2x) + x/2
# Step 8: full batch, the same start for both optimizers; plain gradient descent with the
# largest η (of 0.01, 0.03, 0.1) whose loss falls at every step here, Adam with η = 0.005.
FIT = dict(sizes=(1, 32, 32, 1), samples=256, steps=1500, gd_lr=0.03, adam_lr=0.005, seed=0)
DPI = 150
PAGE_WIDTH = 960  # CSS px: the page's column (html.STYLE's max-width); wider images are scaled down


@dataclass(frozen=True)
class TourStep:
    key: str
    title: str
    text: str
    figure: Path


@dataclass
class TourResult:
    lang: str
    steps: list[TourStep]
    html: Path
    seconds: float


def _save(figure: Any, path: Path, lang: str = "en") -> Path:
    from nnwork.plot import save_figure

    if (lang if lang != "en" else _LANG) == "zh":
        from nnwork.explain.figure_words import translate_figure

        translate_figure(figure)
    return save_figure(figure, path, dpi=DPI)


@contextmanager
def _language(lang: str) -> Iterator[None]:
    """Draw (and save) in `lang`: for zh, with nnwork's shipped CJK font, and every figure's
    words translated as `_save` writes it."""
    global _LANG
    previous, _LANG = _LANG, lang
    try:
        if lang == "zh":
            import matplotlib

            from nnwork.plot import use_cjk_font

            with matplotlib.rc_context(use_cjk_font()):
                yield
        else:
            yield
    finally:
        _LANG = previous


_LANG = "en"


def _g(x: np.ndarray) -> np.ndarray:
    from nnwork.targets import parse

    return parse(TARGET)(x[:, None])


def _model_step(out: Path) -> tuple[Path, dict[str, Any]]:
    from nnwork.plot.explain import functions_figure

    x = np.linspace(*DOMAIN, 300)
    models = []
    with no_grad():
        for seed in (1, 2, 3):
            net = MLP([1, 16, 16, 1], "tanh", generator=seed, dtype=np.float64)
            models.append(net(Tensor(x[:, None])).data[:, 0])
    return _save(functions_figure(x, _g(x), models, label=f"G(x) = {TARGET_SHOWN}"), out / "01_model.png"), {}


# Weights picked by hand for step 2 so that F's shape shows the wiring over [−6, 6]²
# (the article's random weights give an F that is nearly flat there).
VISIBLE_WEIGHTS = {"f1": ([1.5], 0.0), "f2": ([-1.5], 0.0), "f3": ([4.0], -4.0), "f4": ([-3.0], 1.5),
                   "f5": ([6.0, 6.0], -6.0)}


def visible_network(rewired: bool = False) -> Any:
    """The article's five-neuron network with VISIBLE_WEIGHTS; `rewired`: f4 reads x1's neuron
    f1 instead of f2, every weight unchanged."""
    from nnwork.nn.neuron import NeuronGraph

    net = NeuronGraph(inputs=["x1", "x2"], generator=0, dtype=np.float64)
    net.neuron("f1", "x1")
    net.neuron("f2", "x2")
    net.neuron("f3", "f2 + f1")
    net.neuron("f4", "f1" if rewired else "f2")
    net.neuron("f5", "f3", "f4")
    params = dict(net.named_parameters())
    for name, (weight, bias) in VISIBLE_WEIGHTS.items():
        params[f"{name}.weight"].data[...] = weight
        params[f"{name}.bias"].data[...] = bias
    return net


def _network_step(out: Path) -> tuple[Path, dict[str, Any]]:
    from nnwork.plot.explain import network_figure

    net = visible_network()
    walk = walk_backprop(net, DEFAULT_X, DEFAULT_Y)
    axis = np.linspace(-6, 6, 121)
    X, Y = np.meshgrid(axis, axis)
    points = Tensor(np.column_stack([X.ravel(), Y.ravel()]))
    with no_grad():
        Z = net(points).data.reshape(X.shape)
        rewired = visible_network(rewired=True)(points).data.reshape(X.shape)
    path = _save(network_figure(walk, (X, Y, Z), (rewired, "f4 reads f1")), out / "02_network.png")
    return path, {"n_params": net.num_parameters(), "x1": f"{DEFAULT_X[0]:g}", "x2": f"{DEFAULT_X[1]:g}"}


def _towers_step(out: Path) -> tuple[Path, dict[str, Any]]:
    from nnwork import towers
    from nnwork.plot.explain import surfaces_figure

    axis = np.arange(-5, 5, 0.1)  # the article's grid
    X, Y = np.meshgrid(axis, axis)
    points = Tensor(np.column_stack([X.ravel(), Y.ravel()]))
    with no_grad():
        one = towers.original_tower()(points).data.reshape(X.shape)
        four = towers.original_four_towers()(points).data.reshape(X.shape)
    article = towers.original_tower()
    leak = towers.arm_leak(article)
    box = np.array(article.box)
    arm = (3.0, float(box[1].mean()))  # on the tower's right arm, well outside its box
    with no_grad():
        at_arm = float(article(Tensor(np.array([arm]))).data[0])
    surfaces = [("one tower: 5 sigmoid neurons", X, Y, one),
                ("four towers added: 20 neurons\n(a stepped hill)", X, Y, four)]
    notes = [(0, (arm[0], arm[1], at_arm), f"arm: leaks {leak:.1%}")]
    return _save(surfaces_figure(surfaces, notes=notes), out / "03_towers.png"), {"leak": f"{leak:.1%}"}


def _loss_step(out: Path) -> tuple[Path, dict[str, Any]]:
    from nnwork.plot.explain import loss_figure

    net = default_network()
    walk = walk_backprop(net, DEFAULT_X, DEFAULT_Y)
    bias = dict(net.named_parameters())["f5.bias"]
    offsets = np.linspace(-3.0, 3.0, 61)
    losses = loss_along(net, np.array([DEFAULT_X]), np.array([DEFAULT_Y]), {"f5.bias": np.ones(())}, offsets)
    curve = (float(bias.data) + offsets, losses)
    grad = next(p.backprop for p in walk.parameters if p.name == "f5.bias")
    fields = {"yhat": f"{walk.prediction[0]:.4g}", "y": f"{walk.y[0]:g}", "loss": f"{walk.loss:.4g}",
              "grad": f"{grad:.4g}"}
    return _save(loss_figure(walk, curve, "f5.bias"), out / "04_loss.png"), fields


def _descent_step(out: Path, lang: str) -> tuple[Path, dict[str, Any]]:
    from nnwork.explain.descent_view import descent_panels
    from nnwork.plot.explain import descent_figure

    runs = gd.compare_learning_rates(gd.DEFAULT_FUNCTION, gd.DEFAULT_X0, gd.DEFAULT_LEARNING_RATES, gd.DEFAULT_STEPS)
    fields: dict[str, Any] = {"function": typeset(gd.DEFAULT_FUNCTION), "x0": f"{gd.DEFAULT_X0:g}", "steps": gd.DEFAULT_STEPS}
    for i, run in enumerate(runs):
        fields[f"lr{i}"] = f"{run.lr:g}"
        fields[f"v{i}"] = VERDICTS[lang][gd.classify(run)]
    title = rf"Gradient descent $x \leftarrow x - \eta\, h'(x)$ on h(x) = {typeset(gd.DEFAULT_FUNCTION)}"
    return _save(descent_figure(descent_panels(runs, shared=True), title), out / "05_descent.png"), fields


def _backprop_step(out: Path) -> tuple[Path, dict[str, Any]]:
    from nnwork.plot.graph import graph_figure

    net = default_network()
    walk = walk_backprop(net, DEFAULT_X, DEFAULT_Y)
    path = _save(graph_figure(walk, fontsize=9, vertical=True), out / "06_backprop.png")
    # One factor by hand: the arrow f3 → f5 carries ∂f5/∂f3 = w·σ′(z₅), σ′ = σ(1 − σ) = f5(1 − f5).
    f5 = next(v for v in walk.visits if v.name == "f5")
    sigma = float(f5.value.reshape(-1)[0])
    weight = float(dict(net.named_parameters())["f5.weight"].data[0])
    factor = float(f5.local["f3"].reshape(-1)[0])
    return path, {"n_params": len(walk.parameters), "diff": f"{max(walk.max_difference, 1e-16):.0e}",
                  "f5": f"{sigma:.4f}", "one_minus": f"{1 - sigma:.4f}", "slope": f"{sigma * (1 - sigma):.4f}",
                  "w": f"{weight:.4f}", "factor": f"{factor:.4f}"}


def _step_step(out: Path) -> tuple[Path, dict[str, Any]]:
    from nnwork.plot.explain import step_figure

    _, report = gradient_step(default_network(), DEFAULT_X, DEFAULT_Y)
    fields = {"lr": f"{report.lr:g}", "before": f"{report.loss_before:.4g}", "after": f"{report.loss_after:.4g}",
              "gnorm": f"{report.gradient_norm:.3g}", "moved": f"{report.lr * report.gradient_norm:.2g}"}
    return _save(step_figure(report), out / "07_step.png"), fields


def _fit_step(out: Path) -> tuple[Path, dict[str, Any]]:
    from nnwork.explain.training import train_two_ways
    from nnwork.plot.explain import training_figure

    started = time.perf_counter()
    grid, runs = train_two_ways(lambda x: _g(x[:, 0]).reshape(-1, 1), DOMAIN, **FIT)
    seconds = time.perf_counter() - started
    path = _save(training_figure(grid, _g(grid).reshape(-1), runs, label=f"G(x) = {TARGET_SHOWN}"), out / "08_fit.png")
    gd_run, adam = runs
    sizes = FIT["sizes"]
    fields = {"arch": "-".join(map(str, sizes)), "params": sum(a * b + b for a, b in zip(sizes, sizes[1:])),
              "samples": FIT["samples"], "target": TARGET_SHOWN, "steps": FIT["steps"], "seconds": f"{seconds:.1f}",
              "gd_lr": f"{gd_run.lr:g}", "adam_lr": f"{adam.lr:g}", "start": f"{gd_run.loss[0]:.3g}",
              "gd_end": f"{gd_run.loss[-1]:.2g}", "adam_end": f"{adam.loss[-1]:.2g}",
              "gd_rmse": f"{gd_run.rmse:.2g}", "adam_rmse": f"{adam.rmse:.2g}"}
    return path, fields


def run_tour(out: str | Path = "nnwork-tour", lang: str = "en",
             progress: Callable[[TourStep], Any] | None = None) -> TourResult:
    """Run every step of the explanation, write its figures and `tour.html` into `out`.

    Arguments:
        out: the output folder (created if needed).
        lang: "en" or "zh", the language of the texts.
        progress: called with each TourStep as soon as it is done (e.g. to print it).
    Returns:
        A TourResult: the steps (title, text, figure path) in order and the page's path.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"`lang` must be one of {LANGUAGES}, got {lang!r}")
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    makers: list[tuple[str, Callable[[], tuple[Path, dict[str, Any]]]]] = [
        ("model", lambda: _model_step(out)),
        ("network", lambda: _network_step(out)),
        ("towers", lambda: _towers_step(out)),
        ("loss", lambda: _loss_step(out)),
        ("descent", lambda: _descent_step(out, lang)),
        ("backprop", lambda: _backprop_step(out)),
        ("step", lambda: _step_step(out)),
        ("fit", lambda: _fit_step(out)),
    ]
    steps = []
    for key, make in makers:
        with _language(lang):
            figure, fields = make()
        title, text = STEPS[lang][key]
        step = TourStep(key, title, text.format(**fields), figure)
        steps.append(step)
        if progress is not None:
            progress(step)
    words = PAGE[lang]
    document = page.render(words["title"], words["intro"], [(s.title, s.text, s.figure) for s in steps],
                           words["footer"], lang=lang, figure_word=words["figure"],
                           captions=[CAPTIONS[lang][s.key] for s in steps])
    html_path = out / "tour.html"
    html_path.write_text(document, encoding="utf-8")
    return TourResult(lang, steps, html_path, time.perf_counter() - started)
