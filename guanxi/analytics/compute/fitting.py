"""Maximum-likelihood fitting shared by the lifetime-value models.

Parameters are optimised on the log scale (they are all positive) over weighted unique rows
(the compressed sufficient statistics), so the cost grows with the number of distinct
(x, t_x, T) rows, not with the number of customers. Standard errors come from the inverse of
the observed information (numerical Hessian of the total log-likelihood on the log scale,
mapped back with the delta method); intervals are computed on the log scale so that they
stay positive.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize
from scipy.special import ndtri
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped, unused-ignore]

from guanxi.analytics.compute.errors import AnalyticsInputError

FloatArray = npt.NDArray[np.float64]
# total weighted log-likelihood of the natural parameters (and its gradient)
TotalLogLik = Callable[[FloatArray], float]
TotalLogLikGrad = Callable[[FloatArray], tuple[float, FloatArray]]


@dataclass(frozen=True)
class FitResult:
    """A fitted model: parameters, standard errors, log-likelihood and sample size."""

    model: str
    params: dict[str, float]
    standard_errors: dict[str, float | None]
    log_likelihood: float
    n_customers: int
    n_unique_rows: int
    converged: bool
    iterations: int
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> float:
        return self.params[name]

    def keys(self) -> list[str]:
        return list(self.params)

    def intervals(self, level: float = 0.95) -> dict[str, tuple[float, float] | None]:
        """Confidence intervals computed on the log scale (always positive)."""
        z = float(ndtri(0.5 + level / 2))
        out: dict[str, tuple[float, float] | None] = {}
        for name, value in self.params.items():
            se = self.standard_errors.get(name)
            if se is None:
                out[name] = None
                continue
            log_se = se / value
            out[name] = (value * math.exp(-z * log_se), value * math.exp(z * log_se))
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description of the fit."""
        return {
            "model": self.model,
            "params": self.params,
            "standard_errors": self.standard_errors,
            "intervals_95": {
                k: list(v) if v is not None else None for k, v in self.intervals().items()
            },
            "log_likelihood": self.log_likelihood,
            "n_customers": self.n_customers,
            "n_unique_rows": self.n_unique_rows,
            "converged": self.converged,
            "iterations": self.iterations,
            **self.extra,
        }


def as_params(params: Mapping[str, float], names: Sequence[str]) -> tuple[float, ...]:
    """Read named parameters from a FitResult or any mapping, checking they are positive."""
    try:
        values = tuple(float(params[n]) for n in names)
    except KeyError as exc:
        raise AnalyticsInputError(f"missing model parameter {exc.args[0]!r}") from None
    bad = [n for n, v in zip(names, values, strict=True) if not (v > 0 and math.isfinite(v))]
    if bad:
        raise AnalyticsInputError(f"model parameters must be positive and finite: {bad}")
    return values


def _numeric_gradient(
    fun: Callable[[FloatArray], float], theta: FloatArray, h: float
) -> FloatArray:
    grad = np.empty_like(theta)
    for i in range(len(theta)):
        step = np.zeros_like(theta)
        step[i] = h
        grad[i] = (fun(theta + step) - fun(theta - step)) / (2 * h)
    return grad


def _log_hessian(
    total: Callable[[FloatArray], float],
    total_grad: Callable[[FloatArray], FloatArray] | None,
    theta: FloatArray,
) -> FloatArray:
    """Hessian of the total log-likelihood with respect to log-parameters."""
    k = len(theta)
    hess = np.empty((k, k))
    if total_grad is not None:
        h = 1e-5
        for i in range(k):
            step = np.zeros(k)
            step[i] = h
            hess[i] = (total_grad(theta + step) - total_grad(theta - step)) / (2 * h)
        return (hess + hess.T) / 2
    h = 1e-4
    f0 = total(theta)
    for i in range(k):
        for j in range(i, k):
            ei = np.zeros(k)
            ej = np.zeros(k)
            ei[i] = h
            ej[j] = h
            if i == j:
                val = (total(theta + ei) - 2 * f0 + total(theta - ei)) / h**2
            else:
                val = (
                    total(theta + ei + ej)
                    - total(theta + ei - ej)
                    - total(theta - ei + ej)
                    + total(theta - ei - ej)
                ) / (4 * h**2)
            hess[i, j] = hess[j, i] = val
    return hess


def fit_mle(
    *,
    model: str,
    names: Sequence[str],
    initial: Sequence[float],
    n_customers: float,
    n_rows: int,
    total_loglik: TotalLogLik,
    total_loglik_grad: TotalLogLikGrad | None = None,
    extra: dict[str, Any] | None = None,
) -> FitResult:
    """Maximise a total (weighted) log-likelihood over positive parameters on the log scale."""
    n = float(n_customers)
    if n <= 0:
        raise AnalyticsInputError(f"no customers to fit the {model} model on", count=0)

    def total(theta: FloatArray) -> float:
        with np.errstate(all="ignore"):
            ll = float(total_loglik(np.exp(theta)))
        return ll if math.isfinite(ll) else -1e300

    def total_grad(theta: FloatArray) -> FloatArray:
        assert total_loglik_grad is not None
        params = np.exp(theta)
        with np.errstate(all="ignore"):
            _, grad = total_loglik_grad(params)
        return np.asarray(grad * params, dtype=np.float64)

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        # scaled by n so that tolerances mean the same at 2,000 and 2,000,000 customers
        if total_loglik_grad is None:
            return -total(theta) / n, -_numeric_gradient(total, theta, 1e-6) / n
        params = np.exp(theta)
        with np.errstate(all="ignore"):
            ll, grad = total_loglik_grad(params)
        if not math.isfinite(ll) or not np.all(np.isfinite(grad)):
            return 1e300, np.zeros_like(theta)
        return -ll / n, -np.asarray(grad * params) / n

    theta0 = np.log(np.asarray(initial, dtype=np.float64))
    # central-difference gradients carry ~1e-10 noise: a tighter ftol only adds iterations
    # that move the parameters by less than 1e-6 relative
    options: dict[str, float] = (
        {"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10}
        if total_loglik_grad is not None
        else {"maxiter": 2000, "ftol": 1e-12, "gtol": 1e-8}
    )
    # the objective is made of 1-D dot products: threaded BLAS only adds overhead (10-80×
    # slower on a busy 2-core machine), so it runs single-threaded here
    with threadpool_limits(1, user_api="blas"):
        res = optimize.minimize(
            objective,
            theta0,
            jac=True,
            method="L-BFGS-B",
            bounds=[(-12.0, 12.0)] * len(theta0),
            options=options,
        )
        theta = np.asarray(res.x, dtype=np.float64)
        params = np.exp(theta)
        ll = total(theta)
        hess = _log_hessian(total, total_grad if total_loglik_grad is not None else None, theta)
    ses: dict[str, float | None] = dict.fromkeys(names)
    try:
        cov = np.linalg.inv(-hess)
        diag = np.diag(cov)
        if np.all(np.isfinite(diag)) and np.all(diag > 0):
            ses = {
                name: float(p * math.sqrt(d))
                for name, p, d in zip(names, params, diag, strict=True)
            }
    except np.linalg.LinAlgError:
        pass
    grad_norm = float(np.max(np.abs(res.jac))) if res.jac is not None else math.inf
    return FitResult(
        model=model,
        params={name: float(p) for name, p in zip(names, params, strict=True)},
        standard_errors=ses,
        log_likelihood=ll,
        n_customers=round(n),
        n_unique_rows=n_rows,
        converged=bool(res.success) or grad_norm < 1e-6,
        iterations=int(res.nit),
        message=str(res.message),
        extra=extra or {},
    )


def logaddexp(a: FloatArray, b: FloatArray) -> FloatArray:
    """log(e^a + e^b) for finite a and b ≤ +inf or −inf; about twice as fast as np.logaddexp."""
    return np.asarray(np.maximum(a, b) + np.log1p(np.exp(-np.abs(a - b))), dtype=np.float64)


@dataclass(frozen=True)
class Factor:
    """Distinct values of a column and, per row, the index of its value."""

    values: FloatArray
    index: npt.NDArray[np.int64]

    @classmethod
    def of(cls, column: FloatArray) -> Factor:
        values, index = np.unique(column, return_inverse=True)
        return cls(values.astype(np.float64), index.reshape(-1).astype(np.int64))
