"""L-BFGS with an optional strong-Wolfe line search: a port of `torch.optim.LBFGS`.

With s = θₖ₊₁ − θₖ and y = ∇Lₖ₊₁ − ∇Lₖ for the last `history_size` steps, the two-loop recursion
gives d = −H∇L, where H approximates the inverse Hessian (scaled by yᵀs / yᵀy), and then

    θ ← θ + t·d,   t = η (fixed step) or the strong-Wolfe line search's choice.

All parameters are viewed as one flat vector (gathered, then written back in place).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .line_search import strong_wolfe
from .needs import STEP_INPUTS, Needs
from .optimizer import Array, Optimizer, Param, ParamGroup, check_grad, check_range

Closure = Callable[[], Any]


class LBFGS(Optimizer):
    """Limited-memory BFGS; `step(closure)` runs up to `max_iter` iterations.

    **Arguments:**
        params: parameters (a single group: L-BFGS has no per-group options).
        lr: the step length η (default 1).
        max_iter: iterations per `step` (default 20); max_eval: closure calls per `step`
            (default max_iter · 5/4).
        tolerance_grad: stop when max |∇L| ≤ this (default 1e-7).
        tolerance_change: stop when the loss or the step changes less than this (default 1e-9).
        history_size: how many (s, y) pairs to remember (default 100).
        line_search_fn: None (fixed step) or "strong_wolfe".
    """

    # Its curvature pairs and line search assume the same function on every call: the whole
    # training set, re-evaluated through a closure. The line search sets the step length, so
    # a learning-rate schedule does not apply; float64 keeps the curvature's digits.
    needs = Needs(step="closure", full_batch=True, lr_schedule=False, dtype="float64", capture=False)
    title = "L-BFGS"

    def __init__(
        self,
        params: Iterable[Param] | Iterable[ParamGroup],
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if max_eval is None and isinstance(max_iter, int):
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)

    def _check(self, group: ParamGroup) -> None:
        check_range(group["lr"], "lr", "learning rate", 0.0)
        for name in ("max_iter", "max_eval", "history_size"):
            value = group[name]
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"`{name}` must be an int, got {value!r} ({type(value).__name__})")
            if value < 1:
                raise ValueError(f"Invalid {name} value: {value} (`{name}` must be >= 1)")
        check_range(group["tolerance_grad"], "tolerance_grad", "tolerance_grad value", float("-inf"))
        check_range(group["tolerance_change"], "tolerance_change", "tolerance_change value", float("-inf"))
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(f"`line_search_fn` must be None or 'strong_wolfe', got {group['line_search_fn']!r}")

    def add_param_group(self, param_group: ParamGroup) -> None:
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    @property
    def _params(self) -> list[Param]:
        return self.param_groups[0]["params"]  # type: ignore[no-any-return]

    def _state_shape(self, p: Param) -> tuple[int, ...]:
        return (sum(q.data.size for q in self._params),)

    def _gather_flat_grad(self) -> Array:
        views = []
        for i, p in enumerate(self._params):
            if p.grad is None:
                views.append(np.zeros(p.data.size, dtype=p.data.dtype))
            else:
                check_grad(p, f"parameter {i}")
                views.append(p.grad.reshape(-1))
        return np.concatenate(views)

    def _add_grad(self, step_size: Any, update: Array) -> None:
        """θ ← θ + step_size·update, in place, parameter by parameter."""
        offset = 0
        for p in self._params:
            p.data += step_size * update[offset : offset + p.data.size].reshape(p.data.shape)
            offset += p.data.size

    def _directional_evaluate(self, closure: Closure, x: list[Array], t: Any, d: Array) -> tuple[float, Array]:
        """Loss and flat gradient at θ + t·d; the parameters are put back to x afterwards."""
        self._add_grad(t, d)
        loss = float(closure())
        flat_grad = self._gather_flat_grad()
        for p, saved in zip(self._params, x):
            np.copyto(p.data, saved)
        return loss, flat_grad

    def step(self, closure: Closure | None = None) -> Any:
        """Run up to `max_iter` L-BFGS iterations.

        **Arguments:**
            closure: required; re-evaluates the loss, sets the gradients, and returns the loss.

        **Returns:** the loss from the closure's first call.
        """
        if closure is None:
            raise TypeError(f"LBFGS.step needs {STEP_INPUTS['closure']}")
        group = self.param_groups[0]
        lr, max_iter, max_eval = float(group["lr"]), group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        # L-BFGS has only global state; like torch, it lives in the first parameter's entry.
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = closure()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        opt_cond = np.abs(flat_grad).max() <= tolerance_grad
        if opt_cond:  # already optimal
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag, prev_flat_grad = state.get("H_diag"), state.get("prev_flat_grad")
        prev_loss = state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # the descent direction d
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:  # update the memory
                    if len(old_dirs) == history_size:  # forget the oldest pair
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)  # the scale of the initial inverse Hessian
                # two-loop recursion: d = −H·∇L
                num_old = len(old_dirs)
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = state["al"]
                q = -flat_grad
                for i in range(num_old - 1, -1, -1):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    q += -al[i] * old_dirs[i]
                d = r = q * H_diag
                for i in range(num_old):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    r += (al[i] - be_i) * old_stps[i]

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.copy()
            else:
                np.copyto(prev_flat_grad, flat_grad)
            prev_loss = loss

            # the step length t
            t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)  # the directional derivative
            if gtd > -tolerance_change:
                break

            ls_func_evals = 0
            if line_search_fn == "strong_wolfe":
                x_init = [p.data.copy() for p in self._params]

                def obj_func(t: Any, d: Array) -> tuple[float, Array]:
                    return self._directional_evaluate(closure, x_init, t, d)

                loss, flat_grad, t, ls_func_evals = strong_wolfe(
                    obj_func, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals
                )
                self._add_grad(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)  # a fixed step
                if n_iter != max_iter:
                    # re-evaluate only if not the last iteration (in a stochastic setting it is wasted)
                    loss = float(closure())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            # stopping conditions
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change:  # no progress in θ
                break
            if abs(loss - prev_loss) < tolerance_change:  # no progress in the loss
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag)
        state.update(prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss
