"""The training loop: early stopping, divergence, budgets, determinism, checkpoints, resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from nnwork import nn, optim
from nnwork.training import TrainingDiverged, fit


def problem(n: int = 256, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    x = np.random.default_rng(seed).uniform(-2, 2, size=(n, 2))
    return x, (np.sin(x[:, :1]) * x[:, 1:] ** 2)


def params(model: nn.Module) -> list[np.ndarray]:
    return [p.data.copy() for p in model.parameters()]


def test_same_seed_same_result_bit_for_bit() -> None:
    x, y = problem()
    runs = []
    for _ in range(2):
        model = nn.MLP([2, 16, 1], generator=5)
        history = fit(model, (x, y), epochs=5, batch_size=32, seed=3)
        runs.append((params(model), history.train_loss))
    for a, b in zip(runs[0][0], runs[1][0]):
        np.testing.assert_array_equal(a, b)
    assert runs[0][1] == runs[1][1]
    other = nn.MLP([2, 16, 1], generator=5)
    fit(other, (x, y), epochs=5, batch_size=32, seed=4)
    assert not np.array_equal(params(other)[0], runs[0][0][0])


def test_early_stopping_restores_the_best_epoch() -> None:
    x, y = problem()
    xv, yv = problem(64, seed=1)
    model = nn.MLP([2, 32, 1], generator=0)
    history = fit(model, (x, y), (xv, yv), epochs=400, lr=0.05, patience=5, batch_size=16)
    assert history.stop_reason == "no improvement in 5 epochs"
    assert history.epochs == history.best_epoch + 1 + 5
    assert history.best_loss == min(history.validation_loss)
    from nnwork.training import evaluate
    from nnwork.functional import mse_loss

    assert evaluate(model, xv.astype(np.float32), yv.astype(np.float32), mse_loss) == pytest.approx(history.best_loss, rel=1e-6)


def test_divergence_stops_at_once_names_the_learning_rate_and_keeps_best_weights() -> None:
    x, y = problem()
    model = nn.MLP([2, 16, 1], activation="relu", generator=0)
    start = params(model)
    with pytest.raises(TrainingDiverged, match=r"learning rate \(1e\+06\) is the likely cause") as caught:
        fit(model, (x, y * 1e3), optimizer="sgd", lr=1e6, epochs=50, batch_size=32)
    history = caught.value.history
    assert history.stop_reason == "diverged" and history.epochs < 50
    for p in model.parameters():
        assert np.all(np.isfinite(p.data))
    if history.best_epoch < 0:  # diverged in the first epoch: the initial weights are back
        for a, b in zip(start, params(model)):
            np.testing.assert_array_equal(a, b)


def test_time_budget_and_callbacks_stop_the_run() -> None:
    x, y = problem()
    history = fit(nn.MLP([2, 8, 1], generator=0), (x, y), epochs=10_000, time_budget=0.3)
    assert history.stop_reason.startswith("time budget") and history.seconds[-1] >= 0.3
    seen = []
    history = fit(nn.MLP([2, 8, 1], generator=0), (x, y), epochs=100,
                  callbacks=[lambda r: seen.append(r.epoch) or r.epoch == 3])
    assert seen == [1, 2, 3] and history.stop_reason == "stopped by a callback"


def test_lbfgs_uses_the_full_batch_and_fits_well() -> None:
    x, y = problem(128)
    model = nn.MLP([2, 16, 1], generator=0, dtype=np.float64)
    history = fit(model, (x, y), optimizer="lbfgs", epochs=30, batch_size=8)
    assert history.train_loss[-1] < 1e-3 < history.train_loss[0]


def test_schedule_changes_the_learning_rate_each_epoch() -> None:
    x, y = problem()
    model = nn.MLP([2, 8, 1], generator=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    fit(model, (x, y), optimizer=opt, epochs=4, schedule=optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5))
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1 / 16)


def test_bad_arguments_are_clear_errors() -> None:
    x, y = problem()
    model = nn.MLP([2, 8, 1], generator=0)
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'"):
        fit(model, (x, y), optimizer="adamm")
    with pytest.raises(ValueError, match="unknown loss 'cross'"):
        fit(model, (x, y), loss="cross")
    with pytest.raises(ValueError, match=r"x of shape \(N, d\) and y of shape \(N, k\)"):
        fit(model, (x, y[:, 0]))
    with pytest.raises(ValueError, match="`epochs`"):
        fit(model, (x, y), epochs=-1)
    with pytest.raises(ValueError, match="`batch_size`"):
        fit(model, (x, y), batch_size=0)


def test_resume_in_process_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    x, y = problem()
    xv, yv = problem(64, seed=1)

    def run(epochs: int, resume: Path | None = None) -> tuple[nn.Module, object]:
        model = nn.MLP([2, 16, 1], generator=0)
        opt = optim.Adam(model.parameters(), lr=1e-2)
        schedule = optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1)
        history = fit(model, (x, y), (xv, yv), optimizer=opt, schedule=schedule, epochs=epochs,
                      batch_size=32, checkpoint=tmp_path / "ckpt.npz", resume=resume, restore_best=False)
        return model, history

    whole, whole_history = run(12)
    run(5)  # "interrupted" after 5 epochs; its checkpoint is on disk
    resumed, resumed_history = run(12, resume=tmp_path / "ckpt.npz")
    for a, b in zip(params(whole), params(resumed)):
        np.testing.assert_array_equal(a, b)
    assert resumed_history.train_loss == whole_history.train_loss
    assert resumed_history.lr == whole_history.lr


TRAINER = """
import sys, numpy as np
from nnwork import nn
from nnwork.training import fit
x = np.random.default_rng(0).uniform(-2, 2, size=(4096, 2))
y = np.sin(x[:, :1]) * x[:, 1:] ** 2
model = nn.MLP([2, 64, 64, 1], generator=0)
fit(model, (x, y), epochs=int(sys.argv[1]), batch_size=64, resume=sys.argv[2] or None,
    checkpoint=sys.argv[3] or None, restore_best=False,
    callbacks=[lambda r: print("epoch", r.epoch, flush=True)])
np.savez(sys.argv[-1] + ".final.npz", *[p.data for p in model.parameters()])
"""


def test_a_killed_run_resumes_bit_identical(tmp_path: Path) -> None:
    """Kill a real training process mid-run with SIGKILL, resume from its checkpoint, and
    end with exactly the parameters of a run that was never interrupted."""
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(TRAINER))
    epochs = 40  # long enough that the kill below always lands before the end
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    whole = tmp_path / "whole"
    subprocess.run([sys.executable, str(script), str(epochs), "", "", str(whole)], check=True, env=env,
                   capture_output=True)
    checkpoint = tmp_path / "ckpt.npz"
    interrupted = tmp_path / "interrupted"
    with subprocess.Popen([sys.executable, str(script), str(epochs), "", str(checkpoint), str(interrupted)],
                          stdout=subprocess.PIPE, env=env, text=True) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if line.strip() == "epoch 4":  # printed after epoch 3's checkpoint was written, before epoch 4's
                time.sleep(0.01)  # somewhere inside writing epoch 4's checkpoint, or in epoch 5
                process.send_signal(signal.SIGKILL)
                break
        process.wait()
    assert process.returncode == -signal.SIGKILL
    from nnwork import io

    done = io.load_checkpoint(checkpoint).state["epoch"]
    assert 3 <= done < epochs
    subprocess.run([sys.executable, str(script), str(epochs), str(checkpoint), str(checkpoint), str(interrupted)],
                   check=True, env=env, capture_output=True)
    a = np.load(str(whole) + ".final.npz")
    b = np.load(str(interrupted) + ".final.npz")
    for key in a.files:
        np.testing.assert_array_equal(a[key], b[key])
