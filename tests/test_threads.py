"""The thread policy: large products shared out in blocks fixed by shape, so that every thread
count gives the same bits; the count chosen by measurement, or fixed by the user; the BLAS held
on one thread inside nnwork's work and given back afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from typing import Iterator

import numpy as np
import pytest
from threadpoolctl import threadpool_info

import nnwork as nw
from nnwork import blas, nn, optim, threads, training


@pytest.fixture(autouse=True)
def choice_given_back() -> Iterator[None]:
    yield
    threads.set_num_threads(None)


def blas_counts() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


@pytest.mark.parametrize("bad", [0, -1, threads.MAX_THREADS + 1])
def test_set_num_threads_refuses_counts_out_of_range(bad: int) -> None:
    with pytest.raises(ValueError, match=f"`n` must be between 1 and {threads.MAX_THREADS} threads, got {bad}"):
        nw.set_num_threads(bad)


@pytest.mark.parametrize("bad", [1.5, 2.0, True, "2", np.float32(2)])
def test_set_num_threads_refuses_what_is_not_a_whole_number(bad: object) -> None:
    with pytest.raises(TypeError, match="`n` must be a whole number of threads"):
        nw.set_num_threads(bad)  # type: ignore[arg-type]


def test_fit_refuses_a_bad_thread_count_before_training() -> None:
    model = nn.MLP([1, 4, 1], generator=0)
    before = [p.data.copy() for p in model.parameters()]
    x = np.zeros((8, 1), np.float32)
    with pytest.raises(ValueError, match="`threads` must be between 1"):
        training.fit(model, (x, x), epochs=1, threads=0)
    assert all(np.array_equal(a, p.data) for a, p in zip(before, model.parameters()))


def test_set_num_threads_holds_the_blas_on_one_thread_and_gives_it_back() -> None:
    original = blas_counts()
    nw.set_num_threads(3)
    assert nw.get_num_threads() == 3
    assert set(blas_counts()) == {1}
    nw.set_num_threads(None)
    assert blas_counts() == original
    assert nw.get_num_threads() == threads.available()


def test_a_large_product_outside_fit_keeps_the_blas_held_until_the_choice_is_given_back() -> None:
    original = blas_counts()
    a = np.ones((512, 512), np.float32)
    np.matmul(a, a)  # plain NumPy: the BLAS as it was
    assert blas_counts() == original
    blas.matmul(a, a)
    assert set(blas_counts()) == {1}
    with threads.working():
        pass
    assert set(blas_counts()) == {1}  # a scope's end does not give it back either
    nw.set_num_threads(None)
    assert blas_counts() == original


@pytest.mark.parametrize("shape", [(512, 784, 512), (300, 257, 333), (1000, 97, 130), (64, 4096, 64), (40, 40, 40)])
def test_products_are_the_same_bits_on_any_number_of_threads(shape: tuple[int, int, int]) -> None:
    m, k, n = shape
    rng = np.random.default_rng(1)
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    fortran_b = b.T.copy().T  # another memory layout: another kernel, so compared only with itself
    for operand in (b, fortran_b):
        results = []
        for count in (1, 2, 3, 5):
            nw.set_num_threads(count)
            results.append(blas.matmul(a, operand))
        for r in results[1:]:
            assert np.array_equal(r, results[0])
        np.testing.assert_allclose(results[0], a.astype(np.float64) @ b, rtol=1e-4, atol=1e-3)


def test_products_write_into_the_array_given() -> None:
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((512, 300)), rng.standard_normal((300, 400))
    out = np.empty((512, 400))
    nw.set_num_threads(2)
    assert blas.matmul(a, b, out=out) is out
    np.testing.assert_allclose(out, a @ b, rtol=1e-12, atol=1e-10)


def test_gram_is_the_same_bits_on_any_number_of_threads() -> None:
    j = np.random.default_rng(3).standard_normal((4096, 337))
    grams = []
    for count in (1, 2, 4):
        nw.set_num_threads(count)
        grams.append(blas.gram(j))
    assert all(np.array_equal(g, grams[0]) for g in grams)
    np.testing.assert_allclose(grams[0], j.T @ j, rtol=1e-12, atol=1e-9)


def test_a_count_spreads_the_blocks_over_that_many_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    groups: list[tuple[int, int]] = []  # (thread, tasks) per group of blocks
    run_group = blas._all

    def recording(tasks: list) -> None:  # type: ignore[type-arg]
        groups.append((threading.get_ident(), len(tasks)))
        run_group(tasks)

    monkeypatch.setattr(blas, "_all", recording)
    a = np.ones((512, 512), np.float32)
    blocks = len(blas._blocks(512, 512**3))
    for count in (1, 2, 3):
        groups.clear()
        nw.set_num_threads(count)
        blas.matmul(a, a)
        assert len(groups) == count and sum(n for _, n in groups) == blocks
        assert threading.get_ident() in {thread for thread, _ in groups}  # the caller does its share
        assert len({thread for thread, _ in groups}) <= count


def _wide_data(rows: int = 512) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((rows, 96)).astype(np.float32)
    return x, np.sin(x[:, :3]).astype(np.float32)


def _wide_model(dtype: type = np.float32) -> nn.MLP:
    # 512 rows × 256 × 256: ~33M multiply-adds per product, so products are shared out
    return nn.MLP([96, 256, 256, 3], activation="tanh", generator=0, dtype=dtype)


def _parameters(model: nn.Module) -> np.ndarray:
    return np.concatenate([p.data.ravel() for p in model.parameters()])


@pytest.mark.parametrize("captured", [False, True])
def test_100_steps_are_bit_identical_on_1_and_2_threads(captured: bool) -> None:
    x, y = _wide_data()
    xt, yt = nw.tensor(x), nw.tensor(y)
    results = []
    for count in (1, 2):
        model = _wide_model()
        opt = optim.Adam(model.parameters(), lr=1e-3)
        step = nw.capture_step(model, nw.functional.mse_loss, opt)
        large = threads.large_products
        with threads.working(count):
            for _ in range(100):
                if captured:
                    step(x, y)
                else:
                    opt.zero_grad()
                    nw.functional.mse_loss(model(xt), yt).backward()
                    opt.step()
        assert threads.large_products > large  # the products really were shared out
        results.append(_parameters(model))
    assert np.array_equal(results[0], results[1])


def test_levenberg_marquardt_is_bit_identical_on_1_and_2_threads() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (2048, 2))
    y = (np.sin(3 * x[:, :1]) * np.cos(2 * x[:, 1:])).astype(np.float64)
    results = []
    for count in (1, 2):
        model = nn.MLP([2, 16, 16, 1], generator=0, dtype=np.float64)  # 2048 × 337² ≈ 233M: gram is shared out
        history = training.fit(model, (x, y), optimizer="lm", epochs=12, threads=count)
        assert history.threads == f"{count} (as asked)"
        results.append(_parameters(model))
    assert np.array_equal(results[0], results[1])


def test_fit_holds_the_blas_on_one_thread_inside_a_step_and_gives_it_back() -> None:
    original = blas_counts()
    inside: list[list[int]] = []
    seen_counts: list[int] = []
    x, y = _wide_data(256)
    training.fit(_wide_model(), (x, y), epochs=2, batch_size=256, threads=2,
                 callbacks=[lambda report: inside.append(blas_counts()) or seen_counts.append(nw.get_num_threads())])
    assert inside and all(set(counts) == {1} for counts in inside)
    assert seen_counts == [2, 2]
    assert blas_counts() == original


def test_fit_chooses_by_measuring_and_says_so() -> None:
    x, y = _wide_data()
    history = training.fit(_wide_model(), (x, y), epochs=12, batch_size=512)
    candidates = threads.ThreadChooser().candidates
    if len(candidates) == 1:
        assert history.threads.startswith("1")
    else:
        assert "measured per step" in history.threads, history.threads
        for count in candidates:
            assert f"{count} → " in history.threads


def test_a_small_network_never_shares_out_and_says_why() -> None:
    x = np.random.default_rng(0).uniform(-1, 1, (256, 2)).astype(np.float32)
    history = training.fit(nn.MLP([2, 16, 1], generator=0), (x, x[:, :1]), epochs=3)
    assert history.threads == "1 (the network's matrix products are too small to share out)"


class FakeClock:
    """Step times the test decides: each step of count c takes `cost[c]` seconds."""

    def __init__(self, cost: dict[int, float]) -> None:
        self.now, self.cost = 0.0, cost

    def __call__(self) -> float:
        return self.now


def _run(chooser: threads.ThreadChooser, clock: FakeClock, steps: int) -> list[int]:
    used = []
    for _ in range(steps):
        chooser.begin()
        used.append(threads.get_num_threads())
        threads.large_products += 1  # as a shared-out product does
        clock.now += clock.cost[threads.get_num_threads()]
        chooser.end()
    return used


def test_the_chooser_keeps_the_fastest_and_measures_again_when_steps_slow_down() -> None:
    clock = FakeClock({1: 0.004, 2: 0.002})
    chooser = threads.ThreadChooser([1, 2], clock=clock)
    used = _run(chooser, clock, 2 + 6 + 20)
    assert sorted(used[2:8]) == [1, 1, 1, 2, 2, 2]  # explored, interleaved
    assert chooser.chosen == 2 and used[8:] == [2] * 20
    clock.cost = {1: 0.004, 2: 0.02}  # the machine got busy: two threads now lose
    used = _run(chooser, clock, 8 + 6 + 10)
    assert chooser.explorations == 2
    assert chooser.chosen == 1 and used[-10:] == [1] * 10
    assert chooser.summary() == "1 (measured per step: 1 → 4 ms, 2 → 20 ms)"


def test_the_chooser_measures_again_after_a_while() -> None:
    clock = FakeClock({1: 0.01, 2: 0.005})
    chooser = threads.ThreadChooser([1, 2], clock=clock)
    _run(chooser, clock, 8)
    assert chooser.explorations == 1
    _run(chooser, clock, 250)  # 1.25 s later at 5 ms a step: past the 1 s between explorations
    assert chooser.explorations == 2


@pytest.mark.parametrize("value", ["0", "-1", "x", "1.5", "", "99999"])
def test_cli_threads_option_refuses_bad_counts_in_one_line(value: str, tmp_path: object) -> None:
    done = subprocess.run([sys.executable, "-m", "nnwork", "fit", "--epochs", "1", "--threads=" + value,
                           "--out", str(tmp_path), "--quiet", "--no-plots"], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--threads" in done.stderr and "Traceback" not in done.stderr
    assert not list(tmp_path.iterdir())  # type: ignore[attr-defined]


def test_cli_fit_prints_the_threads_it_used(tmp_path: object) -> None:
    done = subprocess.run([sys.executable, "-m", "nnwork", "fit", "--epochs", "2", "--threads", "2",
                           "--out", str(tmp_path), "--quiet", "--no-plots"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "threads: 2 (--threads)" in done.stdout
    done = subprocess.run([sys.executable, "-m", "nnwork", "fit", "--epochs", "2",
                           "--out", str(tmp_path), "--quiet", "--no-plots"], capture_output=True, text=True)
    assert "threads: 1 (the network's matrix products are too small to share out)" in done.stdout


def test_a_blas_loaded_after_the_first_step_is_held_too() -> None:
    """SciPy brings its own OpenBLAS; imported after nnwork first held NumPy's, it must be
    held as well (and given back). Run in a fresh process, so that SciPy really loads late."""
    pytest.importorskip("scipy")
    script = """
import numpy as np, nnwork as nw
from threadpoolctl import threadpool_info
def counts():
    return sorted(lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas")
before = counts()
nw.set_num_threads(1)
import scipy.linalg
nw.set_num_threads(1)
held = counts()
nw.set_num_threads(None)
print(before, held, counts())
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    before, held, after = (json.loads(part) for part in out.replace("] [", "]|[").strip().split("|"))
    assert len(held) == len(before) + 1 and set(held) == {1}
    assert set(after) == set(before)  # given back: each library at its own default (cores, or the environment's)
