"""Bayesian regularisation: how strongly to pull the weights to zero, learned from the data.

MacKay's evidence framework (as in MATLAB's `trainbr`, after Foresee and Hagan 1997) treats
the fit as inference: a Gaussian prior on the weights θ of precision α, Gaussian noise on the
targets of precision β, and the objective their posterior's

    F(θ) = β·E_D + α·E_W,     E_D = ½‖r‖² (the data's misfit),   E_W = ½‖θ‖² (the weights' size).

Near a minimum the posterior's Hessian is H = β·JᵀJ + α·I (Gauss–Newton). Maximising the
evidence — how probable the data are, integrated over θ — gives the updates

    γ = P − α·tr(H⁻¹),     α = γ / 2E_W,     β = (N − γ) / 2E_D,

where γ ∈ [0, P] counts the *effective* parameters: the directions in which the data, not the
prior, decide θ. So no validation set is needed to stop overfitting: a network with more
parameters than the data can support ends with γ well below P, and a smooth fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Evidence:
    """The re-estimated hyperparameters after a step."""

    alpha: float  # prior precision of the weights
    beta: float  # precision of the noise (1/β is the noise variance in the scaled units)
    gamma: float  # effective number of parameters, 0 ≤ γ ≤ P


def objective(alpha: float, beta: float, residuals: np.ndarray, theta: np.ndarray) -> float:
    """F = β·½‖r‖² + α·½‖θ‖²."""
    return 0.5 * (beta * float(residuals @ residuals) + alpha * float(theta @ theta))


def reestimate(gram: np.ndarray, alpha: float, beta: float, residuals: np.ndarray,
               theta: np.ndarray) -> Evidence:
    """The evidence updates from JᵀJ (`gram`) and the current α, β, residuals and θ.

    γ is kept in [0, min(P, N − 1)] so that β stays positive when a network has as many
    parameters as there are residuals; a zero ‖θ‖² or ‖r‖² (a perfect or empty fit) leaves
    α or β as it was.
    """
    count, n = len(theta), len(residuals)
    shrunk = alpha * _trace_of_inverse(beta * gram + alpha * np.eye(count)) if alpha > 0 else 0.0
    gamma = float(np.clip(count - shrunk, 0.0, min(count, n - 1)))
    weights, misfit = float(theta @ theta), float(residuals @ residuals)
    return Evidence(alpha=gamma / weights if weights > 0 else alpha,
                    beta=(n - gamma) / misfit if misfit > 0 else beta, gamma=gamma)


def _trace_of_inverse(hessian: np.ndarray) -> float:
    """tr(H⁻¹) of a symmetric positive definite H: ‖L⁻¹‖²_F for H = LLᵀ (Cholesky)."""
    lower = np.linalg.cholesky(hessian)
    inverse_lower = np.linalg.solve(lower, np.eye(len(hessian)))
    return float(np.sum(inverse_lower * inverse_lower))
