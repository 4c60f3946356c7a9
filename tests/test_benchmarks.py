"""The benchmark harness: `benchmarks/run.py --quick` runs to the end with whatever peers are
installed, and the hand-written NumPy network (the floor every speed is compared with)
computes the true gradients and torch.optim's updates, so the floor is honest.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import nnwork as nw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the `benchmarks` package lives beside `src`, not inside nnwork

from benchmarks.peers import numpy_peer  # noqa: E402
from benchmarks.workloads import W3, fit_data, initial_parameters  # noqa: E402


def test_quick_run_exits_0_and_reports_every_workload(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    # --threads 1 keeps it fast on a busy CI machine; --cap 1 and --repeats 1 keep it under a minute
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--cap", "1",
                           "--repeats", "1", "--threads", "1", "--json", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    for title in ("W1 —", "W2 —", "W3 —", "W4 —", "M — peak resident memory", "M — start-up"):
        assert title in done.stdout, f"{title!r} missing from the report:\n{done.stdout}"
    results = json.loads(out.read_text())
    w1 = results["W1"]["samples"]
    assert any(label.startswith("nnwork") for label in w1), f"no nnwork figure for W1: {results['W1']['errors']}"
    assert any(label.startswith("NumPy") for label in w1), f"no NumPy-floor figure for W1: {results['W1']['errors']}"


def _params64(sizes: tuple[int, ...], seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    draw = np.random.default_rng(seed)
    return [(draw.normal(0, 0.7, size=(n_out, n_in)), draw.normal(0, 0.3, size=n_out))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def _torch_model(params: list[tuple[np.ndarray, np.ndarray]], activation: str) -> torch.nn.Sequential:
    """The benchmark's own PyTorch model, in float64 for exact comparisons."""
    from benchmarks.peers import torch_peer

    return torch_peer.build(params, activation, dtype=torch.float64)


def _problem(loss: str, draw: np.random.Generator, n: int, sizes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    x = draw.normal(size=(n, sizes[0]))
    if loss == "mse":
        return x, draw.normal(size=(n, sizes[-1]))
    return x, draw.integers(0, sizes[-1], size=n)


CASES = [("tanh", "mse", (3, 5, 4, 2)), ("relu", "cross_entropy", (6, 8, 7, 4))]


@pytest.mark.parametrize("activation, loss, sizes", CASES)
def test_numpy_floor_gradients_match_torch(activation: str, loss: str, sizes: tuple[int, ...]) -> None:
    params = _params64(sizes)
    x, y = _problem(loss, np.random.default_rng(1), 9, sizes)
    ours = numpy_peer.NumpyMLP(params, activation, loss, dtype=np.float64)
    value = ours.forward_backward(x, y)

    model = _torch_model(params, activation)
    loss_fn = torch.nn.functional.mse_loss if loss == "mse" else torch.nn.functional.cross_entropy
    expected = loss_fn(model(torch.from_numpy(x)), torch.from_numpy(y))
    expected.backward()
    assert value == pytest.approx(expected.item(), rel=1e-12)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    for i, linear in enumerate(linears):
        np.testing.assert_allclose(ours.grad_weights[i].T, linear.weight.grad.numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=f"weight gradient of layer {i}")
        np.testing.assert_allclose(ours.grad_biases[i], linear.bias.grad.numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=f"bias gradient of layer {i}")


def test_numpy_floor_gradients_match_nnwork() -> None:
    sizes = (2, 6, 5, 1)
    params = _params64(sizes, seed=3)
    x, y = _problem("mse", np.random.default_rng(4), 11, sizes)
    ours = numpy_peer.NumpyMLP(params, "tanh", "mse", dtype=np.float64)
    ours.forward_backward(x, y)

    model = nw.nn.MLP(list(sizes), "tanh", dtype=np.float64)
    for p, a in zip(model.parameters(), [a for layer in params for a in layer]):
        np.copyto(p.data, a)
    nw.functional.mse_loss(model(nw.tensor(x, dtype=np.float64)), nw.tensor(y, dtype=np.float64)).backward()
    grads = [p.grad for p in model.parameters()]
    for i in range(len(params)):
        np.testing.assert_allclose(ours.grad_weights[i].T, grads[2 * i], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours.grad_biases[i], grads[2 * i + 1], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_numpy_floor_updates_match_torch_optim(optimizer: str) -> None:
    sizes = (3, 5, 2)
    params = _params64(sizes, seed=5)
    x, y = _problem("mse", np.random.default_rng(6), 8, sizes)
    ours = numpy_peer.NumpyMLP(params, "tanh", "mse", dtype=np.float64)
    model = _torch_model(params, "tanh")
    if optimizer == "adam":
        step: numpy_peer.Adam | numpy_peer.SGD = numpy_peer.Adam(ours, lr=0.01)
        opt: torch.optim.Optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    else:
        step = numpy_peer.SGD(ours, lr=0.05, momentum=0.9)
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for _ in range(5):
        ours.forward_backward(x, y)
        step.step()
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(torch.from_numpy(x)), torch.from_numpy(y)).backward()
        opt.step()
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    for i, linear in enumerate(linears):
        np.testing.assert_allclose(ours.weights[i].T, linear.weight.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours.biases[i], linear.bias.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_peers_train_the_same_network() -> None:
    """From the same weights and batches, one W3 epoch gives the same predictions in every
    tool that can load the weights (float32 rounding aside): they all do the same work."""
    from benchmarks.peers import load

    data = fit_data(W3)
    params = initial_parameters(W3.sizes, W3.activation, seed=0)
    order = np.random.default_rng(0).permutation(len(data.x_train))
    predictions = {}
    for name in ("numpy_peer", "nnwork_peer", "torch_peer", "jax_peer"):
        peer = load(name)
        if peer.module is None:
            continue  # jax is a benchmark-only peer: it may be absent
        for label, trainer in peer.module.adam_trainers(W3, params, data, seed=0).items():
            trainer.train_epoch(data.x_train[order], data.y_train[order])
            predictions[label] = np.asarray(trainer.predict_validation()).reshape(-1)
    reference = predictions.pop(numpy_peer.LABEL)
    assert predictions, "no other tool to compare with"
    for label, values in predictions.items():
        np.testing.assert_allclose(values, reference, rtol=0, atol=2e-4, err_msg=label)


def test_missing_peer_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks import peers, steps
    from benchmarks.workloads import W1

    absent_jax = [(n, "Absent", "no_such_library_for_nnwork") if n == "jax_peer" else (n, d, lib)
                  for n, d, lib in peers.PEERS]
    monkeypatch.setattr(peers, "PEERS", tuple(absent_jax))
    absent = peers.load("jax_peer")
    assert absent.module is None and absent.problem.startswith("not installed")
    result = steps.measure(W1, [absent, peers.load("numpy_peer")], repeats=1, warmup=0, sample_seconds=0.01)
    assert numpy_peer.LABEL in result.samples
    assert "Absent: not installed" in steps.format_result(result, ours=[])


# ---- W5: a busy machine --------------------------------------------------------------------
def _tagged(tag: str) -> list[str]:
    """Command lines of live processes that carry this run's tag (busy loops, workers, fits)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if "nnwork-bench-" in line and f":{tag}" in line:
                found.append(f"{entry.name}: …{line[-100:]}")
    return found


def _w5(tag: str, **env: str) -> subprocess.Popen:
    import os

    return subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--only", "W5"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, "NNWORK_BENCH_TAG": tag, **env}, start_new_session=True)


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs Linux's /proc to see the children")
def test_quick_w5_reports_every_table_and_a_failing_peer_and_leaves_no_process(tmp_path: Path) -> None:
    """A whole quick W5 run, with PyTorch made to fail whenever the load is on: exit 0, every
    table, the error under them, the other tools' figures, and no child process left."""
    import uuid

    tag = uuid.uuid4().hex[:12]
    process = _w5(tag, NNWORK_BENCH_FAIL_PEER="torch")
    try:
        out, err = process.communicate(timeout=240)
    finally:
        process.kill()
    assert process.returncode == 0, err[-2000:]
    for title in ("W5 — W1", "W5 — W2", "default threading", "1 thread threading", "the README's `nnwork` fit"):
        assert title in out, f"{title!r} missing:\n{out}"
    assert "failure injected by NNWORK_BENCH_FAIL_PEER" in out
    assert "JAX 0.10" in out or "JAX:" in out
    fits = out.split("the README's `nnwork` fit")[1]
    assert fits.count("×") >= 4, fits  # loaded ÷ quiet for both fits in both modes
    assert _tagged(tag) == []


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs Linux's /proc to see the children")
@pytest.mark.parametrize("how", ["SIGINT to the process group (Ctrl-C)", "SIGTERM to run.py"])
def test_w5_stopped_mid_load_leaves_no_process(how: str) -> None:
    import os
    import signal
    import time
    import uuid

    tag = uuid.uuid4().hex[:12]
    process = _w5(tag)
    try:
        deadline = time.monotonic() + 120
        while not any("nnwork-bench-load" in line for line in _tagged(tag)):
            assert process.poll() is None and time.monotonic() < deadline, "the load never started"
            time.sleep(0.05)
        if how.startswith("SIGINT"):
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode != 0 and "STOPPED EARLY" in out, (process.returncode, out[-1500:], err[-1500:])
    time.sleep(0.5)  # reaped children vanish from /proc at once; give the kernel a moment anyway
    assert _tagged(tag) == []


# ---- real tables (benchmarks/realdata.py): needs the bench extra's scikit-learn and statsmodels --
def _needs_realdata_libraries() -> None:
    for library in ("sklearn", "statsmodels"):
        pytest.importorskip(library, reason=f"benchmarks/realdata.py needs {library} (the `bench` extra, not `test`)")


def test_realdata_quick_run_scores_every_method_on_both_tables(tmp_path: Path) -> None:
    _needs_realdata_libraries()
    from benchmarks import realdata

    out = tmp_path / "realdata.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "realdata.py"), "--quick", "--json", str(out)],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "R² on the held-out fold" in done.stdout and "seconds per fit" in done.stdout, done.stdout
    assert "nnwork default ≥ best of linear/ridge − 0.01 on" in done.stdout
    results = json.loads(out.read_text())
    assert (results["folds"], results["repeats"]) == (2, 1)
    assert list(results["tables"]) == list(realdata.QUICK_TABLES)
    for table, entry in results["tables"].items():
        assert entry["choice"] and entry["rows"] >= realdata.MIN_ROWS
        assert set(entry["methods"]) == set(realdata.METHODS)
        for method, scores in entry["methods"].items():
            assert scores["errors"] == [], f"{table} / {method}: {scores['errors']}"
            assert len(scores["r2"]) == 2 and all(math.isfinite(r) and r <= 1 for r in scores["r2"]), (table, method)
            assert all(s > 0 for s in scores["seconds"]), (table, method, scores["seconds"])
        # ordinary least squares on these tables: about 0.49 (diabetes) and 0.77 (engel) with 2 folds
        assert all(0.3 < r < 0.95 for r in entry["methods"]["linear"]["r2"]), (table, entry["methods"]["linear"])
    assert all(math.isfinite(v) for v in results["mean_r2"].values())


def test_realdata_failed_fit_is_reported_and_every_method_sees_the_same_folds() -> None:
    _needs_realdata_libraries()
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import RepeatedKFold

    from benchmarks import realdata

    draw = np.random.default_rng(0)
    x = draw.normal(size=(60, 3))
    table = realdata.Table("toy", x, x @ [1.0, -2.0, 0.5] + draw.normal(0, 0.5, 60), ["a", "b", "c"], "y", "toy")
    seen: list[tuple[int, ...]] = []

    def fails_on_the_second_fold(fold: realdata.Fold, quick: bool) -> tuple[np.ndarray, float]:
        seen.append(tuple(fold.test))
        if len(seen) == 2:
            raise ValueError("injected failure")
        return np.full(len(fold.test), float(np.mean(fold.table.y[fold.train]))), 0.0

    methods = {"fails": fails_on_the_second_fold, "linear": realdata.METHODS["linear"]}
    scores = realdata.cross_validate(table, methods, folds=3, repeats=2, seed=7)
    assert scores["fails"].r2[1] is None and scores["fails"].errors == ["fold 2: ValueError: injected failure"]
    assert len(scores["fails"].r2) == 6 and all(r is not None for i, r in enumerate(scores["fails"].r2) if i != 1)
    expected = []
    for train, test in RepeatedKFold(n_splits=3, n_repeats=2, random_state=7).split(x):
        assert seen.pop(0) == tuple(test)
        fitted = LinearRegression().fit(x[train], table.y[train])
        expected.append(realdata.r2_score(table.y[test], fitted.predict(x[test])))
    assert scores["linear"].errors == []
    np.testing.assert_allclose(scores["linear"].r2, expected, rtol=1e-12)
    report = realdata.report({"toy": {"rows": 60, "inputs": 3, "choice": "toy", "methods": {
        name: vars(scores[name] if name in scores else realdata.Scores([None], [None], ["fold 1: boom"]))
        for name in realdata.METHODS}}}, folds=3, repeats=2)
    assert "toy / nnwork: fold 1: boom" in report and "failed" in report
