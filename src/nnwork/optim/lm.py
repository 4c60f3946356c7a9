"""Levenberg–Marquardt: the classic least-squares method for fitting small networks.

For residuals r(θ) (prediction − target, one per sample and output) it minimises
½‖r‖² with steps that blend Gauss–Newton and gradient descent:

    (JᵀJ + λ·D) δ = −Jᵀr,    D = diag(JᵀJ) (its largest so far),    θ ← θ + δ if the loss went down,

where J = ∂r/∂θ is the Jacobian. λ adapts every step (Nielsen's rule): a step that lowers
the loss as much as the quadratic model predicted makes λ smaller (towards Gauss–Newton,
fast near a minimum); a step that fails is undone and λ grows (towards short gradient-descent
steps). J comes from a Jacobian function, by default `nnwork.autograd.jacobian`: our own
autodiff in ONE per-sample backward pass per output column, not a Python loop over samples.
Everything is solved in float64 with a Cholesky factorisation. A step costs about
2·M·P² (forming JᵀJ) + P³/3 (factorising) for M residuals and P parameters, so very large
models are refused with a suggestion; small networks are where this method shines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from nnwork.autograd import jacobian as autograd_jacobian
from nnwork.blas import gram

from . import evidence
from .needs import Needs
from .optimizer import Optimizer, Param, check_range

MAX_PARAMETERS = 6000  # JᵀJ is P × P in float64; beyond this a step costs seconds


class LevenbergMarquardt(Optimizer):
    """Levenberg–Marquardt for least squares; `step(residuals)` takes a closure returning the
    residual tensor (N,) or (N, k) of the full dataset, built with the graph recorded.

    **Arguments:**
        params: the model's parameters (one group).
        damping: the starting λ (default 1e-3).
        max_tries: how many times one step may raise λ and retry before giving up (default 10).
        max_parameters: refuse models with more parameters than this (default 6000).
        regularization: None, or "bayes" for Bayesian regularisation (`nnwork.optim.evidence`):
            the steps minimise β·½‖r‖² + α·½‖θ‖², and after each step α and β are
            re-estimated from the evidence; `alpha`, `beta` and `gamma` (the effective number
            of parameters) are then kept in the group (and in `state_dict()`).
        jacobian: `jacobian(residuals, params, blocks)` → (r, J): the residuals as a float64
            vector of length M and J = ∂r/∂θ (M × P, the parameters in order, flattened),
            given the residual closure, the parameters and a dict of arrays it may reuse from
            step to step (default `nnwork.autograd.jacobian`).

    `step` returns the mean squared residual ‖r‖²/M after the step (or before it, if no
    step could lower it within `max_tries`); `last_accepted` says which.
    """

    fused = False
    # Least squares: the residuals of the whole training set, with λ (not a learning rate)
    # setting the step. A step costs ~2·N·P² for P parameters: 16 × 16 hidden units (337
    # parameters for two inputs) take ~20 ms a step and fit smooth targets to ~1e-10, where
    # 64 × 64 (4,417) takes ~2.4 s a step for hardly better accuracy.
    needs = Needs(step="residuals", full_batch=True, no_learning_rate="it adapts its damping",
                  lr_schedule=False, dtype="float64", hidden=(16, 16), capture=False)
    title = "Levenberg–Marquardt"

    def __init__(
        self,
        params: Iterable[Param],
        damping: float = 1e-3,
        max_tries: int = 10,
        max_parameters: int = MAX_PARAMETERS,
        regularization: str | None = None,
        jacobian: Callable[..., tuple[np.ndarray, np.ndarray]] | None = None,
    ) -> None:
        if regularization not in (None, "bayes"):
            raise ValueError(f"`regularization` must be None or 'bayes', got {regularization!r}")
        # The adapted λ and its growth factor live in the group, so state_dict() keeps them;
        # so do Bayesian regularisation's α, β (starting as MacKay's: no prior, unit noise) and γ.
        defaults: dict[str, Any] = {"damping": damping, "growth": 2.0, "max_tries": max_tries}
        if regularization == "bayes":
            defaults.update(alpha=0.0, beta=1.0, gamma=None)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LevenbergMarquardt takes one group of parameters")
        count = sum(p.data.size for p in self.param_groups[0]["params"])
        if count > max_parameters:
            raise ValueError(
                f"LevenbergMarquardt solves a {count} × {count} system per step; that is more than "
                f"`max_parameters`={max_parameters}. Use Adam or L-BFGS for a model this size, or "
                f"a smaller network."
            )
        self.last_accepted = False
        self._jacobian = autograd_jacobian if jacobian is None else jacobian
        self._blocks: dict[int, np.ndarray] = {}  # the Jacobian's arrays, one per output, reused

    def _check(self, group: dict[str, Any]) -> None:
        check_range(group["damping"], "damping", "damping value", 0.0)
        check_range(group["growth"], "growth", "growth factor", 1.0)
        if not isinstance(group["max_tries"], int) or group["max_tries"] < 1:
            raise ValueError(f"`max_tries` must be a positive integer, got {group['max_tries']!r}")
        if "alpha" in group:
            check_range(group["alpha"], "alpha", "prior precision", 0.0)
            check_range(group["beta"], "beta", "noise precision", 1e-300)
            if not (np.isfinite(group["alpha"]) and np.isfinite(group["beta"])):
                raise ValueError(f"`alpha` and `beta` must be finite, got {group['alpha']!r}, {group['beta']!r}")

    @property
    def damping(self) -> float:
        return float(self.param_groups[0]["damping"])

    def _params(self) -> list[Param]:
        return self.param_groups[0]["params"]

    def _spans(self) -> list[tuple[Param, slice]]:
        """Each parameter with its span of θ (and of J's columns): parameters in order, flattened."""
        spans, start = [], 0
        for p in self._params():
            spans.append((p, slice(start, start + p.data.size)))
            start += p.data.size
        return spans

    def _flat(self) -> np.ndarray:
        return np.concatenate([p.data.reshape(-1).astype(np.float64) for p in self._params()])

    def _assign(self, theta: np.ndarray) -> None:
        for p, span in self._spans():
            p.data[...] = theta[span].reshape(p.data.shape)

    def _largest_scale(self, scale: np.ndarray) -> np.ndarray:
        """Marquardt's D: each coordinate's largest diag(JᵀJ) so far (as MINPACK keeps it),
        not just this step's. A coordinate whose curvature collapses (a unit saturating)
        then stays damped, instead of taking huge steps that ruin the fit ("parameter
        evaporation"); measured: without it, 2 of 3 seeds of sin·cos stalled near 5e-6, with
        it all three went below 2e-9. Kept per parameter in `state`, so a resumed run goes on
        exactly."""
        for p, span in self._spans():
            state, piece = self.state[p], scale[span]
            if "scale" in state:
                np.maximum(piece, state["scale"].reshape(-1), out=piece)
            state["scale"] = piece.reshape(p.data.shape).copy()
        return scale

    def jacobian(self, residuals: Callable[[], Any]) -> tuple[np.ndarray, np.ndarray]:
        """(r, J): the residuals as a float64 vector of length M = N·k, and J (M × P), from
        the Jacobian function. J's array is reused by the next call: copy it to keep it.
        The parameters are left without gradients."""
        r, J = self._jacobian(residuals, self._params(), self._blocks)
        for p in self._params():
            p.grad = None
        return r, J

    def step(self, closure: Callable[[], Any] | None = None) -> float:  # type: ignore[override]
        """One accepted (or, after `max_tries` failures, no) Levenberg–Marquardt step."""
        if closure is None:
            raise ValueError("LevenbergMarquardt.step needs a closure that returns the residuals")
        from nnwork._grad_mode import no_grad

        r, J = self.jacobian(closure)
        lm = self.param_groups[0]
        bayes = "alpha" in lm
        alpha, beta = (lm["alpha"], lm["beta"]) if bayes else (0.0, 1.0)
        theta = self._flat()
        jtj = gram(J)  # JᵀJ, the same bits on any number of threads
        # The objective F = β·½‖r‖² + α·½‖θ‖² (plain least squares: α = 0, β = 1), its gradient
        # and its Gauss–Newton curvature.
        loss = evidence.objective(alpha, beta, r, theta)
        gradient, curvature = J.T @ r, jtj
        if bayes:
            gradient = beta * gradient + alpha * theta
            curvature = beta * jtj
            curvature[np.diag_indices_from(curvature)] += alpha
        scale = self._largest_scale(np.maximum(np.diag(curvature), 1e-12))
        self.last_accepted = False
        residuals, accepted = r, theta
        for _ in range(lm["max_tries"]):
            delta, lm["damping"] = _damped_solve(curvature, scale, lm["damping"], gradient)
            self._assign(theta + delta)
            with no_grad():
                trial = np.asarray(closure().data, dtype=np.float64).reshape(-1)
            new_loss = evidence.objective(alpha, beta, trial, theta + delta)
            predicted = 0.5 * float(delta @ (lm["damping"] * scale * delta - gradient))
            if np.isfinite(new_loss) and new_loss < loss and predicted > 0:
                rho = (loss - new_loss) / predicted
                lm["damping"] *= max(1 / 3, 1 - (2 * rho - 1) ** 3)
                lm["growth"] = 2.0
                self.last_accepted = True
                residuals, accepted = trial, theta + delta
                break
            lm["damping"] *= lm["growth"]
            lm["growth"] *= 2
        else:
            self._assign(theta)
        if bayes:
            found = evidence.reestimate(jtj, alpha, beta, residuals, accepted)
            lm["alpha"], lm["beta"], lm["gamma"] = found.alpha, found.beta, found.gamma
        return float(residuals @ residuals) / len(r)


def _damped_solve(curvature: np.ndarray, scale: np.ndarray, damping: float,
                  gradient: np.ndarray) -> tuple[np.ndarray, float]:
    """(δ, λ): δ solving (JᵀJ + λD)δ = −Jᵀr by Cholesky, with λ raised (and returned) until
    the matrix is positive definite in floating point."""
    diagonal = np.arange(len(scale))
    for _ in range(30):
        system = curvature.copy()
        system[diagonal, diagonal] += damping * scale
        try:
            lower = np.linalg.cholesky(system)
        except np.linalg.LinAlgError:
            damping = max(damping * 10, 1e-12)
            continue
        return -solve_upper(lower.T, solve_lower(lower, gradient)), damping
    raise np.linalg.LinAlgError("JᵀJ + λD stayed singular however large λ was made")


BLOCK = 64  # rows per block of a triangular solve


def solve_lower(lower: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x with Lx = b for a lower-triangular L: forward substitution by blocks of rows, each
    a small dense solve after subtracting what the rows above contribute. (NumPy has no
    triangular solver; np.linalg.solve on the whole of L would factorise it again, ~4× the
    Cholesky factorisation's own cost.)"""
    x = np.empty_like(b)
    for start in range(0, len(b), BLOCK):
        end = min(start + BLOCK, len(b))
        x[start:end] = np.linalg.solve(lower[start:end, start:end], b[start:end] - lower[start:end, :start] @ x[:start])
    return x


def solve_upper(upper: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x with Ux = b for an upper-triangular U: back substitution by blocks, from the last."""
    x = np.empty_like(b)
    n = len(b)
    for end in range(n, 0, -BLOCK):
        start = max(end - BLOCK, 0)
        x[start:end] = np.linalg.solve(upper[start:end, start:end], b[start:end] - upper[start:end, end:] @ x[end:])
    return x
