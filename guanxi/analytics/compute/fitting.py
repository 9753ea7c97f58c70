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
IntArray = npt.NDArray[np.int64]
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


def _forward_hessian(
    total_grad: Callable[[FloatArray], FloatArray], theta: FloatArray, grad0: FloatArray
) -> FloatArray:
    """Hessian (log scale) by forward differences of the analytic gradient: k gradient
    evaluations instead of 2k. Truncation error ~h relative (3e-5), far below what standard
    errors need, and the Newton polish only needs an approximate Hessian (its steps are
    checked against the likelihood)."""
    k = len(theta)
    hess = np.empty((k, k))
    h = 3e-5
    for i in range(k):
        step = np.zeros(k)
        step[i] = h
        hess[i] = (total_grad(theta + step) - grad0) / h
    return (hess + hess.T) / 2


def _lbfgs_then_newton(
    objective: Callable[[FloatArray], tuple[float, FloatArray]],
    total: Callable[[FloatArray], float],
    total_grad: Callable[[FloatArray], FloatArray],
    theta0: FloatArray,
    bounds: list[tuple[float, float]],
    n: float,
) -> tuple[FloatArray, float, FloatArray, int, float, bool, str]:
    """L-BFGS to a loose tolerance, then Newton steps with the Hessian needed for the SEs.

    L-BFGS spends its last ~40 % of gradient evaluations crawling from |g| ≈ 1e-6 to 1e-10
    (and on line searches that fail in rounding noise). The observed information is computed
    anyway for the standard errors; a Newton step with it from |g| ≈ 1e-6 lands on the
    optimum to ~1e-10 relative in one or two gradient evaluations. If the Hessian is not
    negative definite or a step does not improve the likelihood, L-BFGS resumes with the
    tight tolerances instead (the previous behaviour), so the optimum is the same.
    """
    seen: dict[bytes, tuple[float, FloatArray]] = {}

    def remembered(theta: FloatArray) -> tuple[float, FloatArray]:
        # L-BFGS returns its last evaluated point: reuse that value and gradient
        key = np.asarray(theta, dtype=np.float64).tobytes()
        if key not in seen:
            seen.clear()
            seen[key] = objective(theta)
        return seen[key]

    res = optimize.minimize(
        remembered,
        theta0,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-6},
    )
    theta = np.asarray(res.x, dtype=np.float64)
    iterations = int(res.nit)
    f, g = remembered(theta)
    hess = _forward_hessian(total_grad, theta, -g * n)
    start = theta.copy()
    polished = bool(np.all(np.linalg.eigvalsh(hess) < 0)) and f < 1e300
    for _ in range(8 if polished else 0):
        # hess is of the total log-likelihood; objective is −ll/n and its gradient −g/n
        step = np.linalg.solve(hess, g * n)
        if not np.all(np.isfinite(step)) or np.max(np.abs(step)) > 0.5:
            polished = False
            break
        candidate = np.clip(theta + step, -12.0, 12.0)
        f_new, g_new = objective(candidate)
        if not f_new <= f + 1e-14 * max(1.0, abs(f)):
            polished = False
            break
        theta, f, g = candidate, f_new, g_new
        iterations += 1
        if np.max(np.abs(step)) < 1e-9 or np.max(np.abs(g)) < 1e-12:
            break
    if not polished:
        res = optimize.minimize(
            objective,
            theta,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10},
        )
        theta = np.asarray(res.x, dtype=np.float64)
        iterations += int(res.nit)
        f, g = objective(theta)
    if polished is False or np.max(np.abs(theta - start)) > 1e-3:
        hess = _forward_hessian(total_grad, theta, -g * n)
    grad_norm = float(np.max(np.abs(g)))
    message = "Newton polish converged" if polished else str(res.message)
    ll = -f * n if f < 1e300 else total(theta)
    return theta, ll, hess, iterations, grad_norm, polished or bool(res.success), message


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
    bounds = [(-12.0, 12.0)] * len(theta0)
    # the objective is made of 1-D dot products: threaded BLAS only adds overhead (10-80×
    # slower on a busy 2-core machine), so it runs single-threaded here
    with threadpool_limits(1, user_api="blas"):
        if total_loglik_grad is None:
            # central-difference gradients carry ~1e-10 noise: a tighter ftol only adds
            # iterations that move the parameters by less than 1e-6 relative
            res = optimize.minimize(
                objective,
                theta0,
                jac=True,
                method="L-BFGS-B",
                bounds=bounds,
                options={"maxiter": 2000, "ftol": 1e-12, "gtol": 1e-8},
            )
            theta = np.asarray(res.x, dtype=np.float64)
            ll = total(theta)
            hess = _log_hessian(total, None, theta)
            iterations = int(res.nit)
            grad_norm = float(np.max(np.abs(res.jac))) if res.jac is not None else math.inf
            success, message = bool(res.success), str(res.message)
        else:
            theta, ll, hess, iterations, grad_norm, success, message = _lbfgs_then_newton(
                objective, total, total_grad, theta0, bounds, n
            )
        params = np.exp(theta)
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
    return FitResult(
        model=model,
        params={name: float(p) for name, p in zip(names, params, strict=True)},
        standard_errors=ses,
        log_likelihood=ll,
        n_customers=round(n),
        n_unique_rows=n_rows,
        converged=success or grad_norm < 1e-6,
        iterations=iterations,
        message=message,
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


def distinct_pairs(x: Factor, y: FloatArray) -> tuple[FloatArray, FloatArray, IntArray, IntArray]:
    """Distinct (x, y) pairs sorted by x then y: pair x, pair y, x index per pair, row index."""
    yf = Factor.of(y)
    key = x.index * len(yf.values) + yf.index
    keys, index = np.unique(key, return_inverse=True)
    ix = keys // len(yf.values)
    iy = keys % len(yf.values)
    return x.values[ix], yf.values[iy], ix, index.reshape(-1).astype(np.int64)


@dataclass(frozen=True)
class PairedRows:
    """Unique (x, t_x, T) rows seen through their distinct (x, T) and (x, t_x) pairs.

    The BG/NBD and Pareto/NBD likelihoods of a row are ``f(x) + log(e^A(x, T) + e^B(x, t_x))``:
    every expensive term (special functions, logs) lives on the few thousand distinct pairs,
    and only one gather, one add and one log per row remain. ``log_mix`` returns the weighted
    row total and, for the gradient, the row weights folded back onto each pair.
    """

    x: Factor
    weight_x: FloatArray  # weights summed per distinct x
    t_x: FloatArray  # x of each distinct (x, T) pair
    t_y: FloatArray  # T of each distinct (x, T) pair
    t_ix: IntArray  # distinct-x index of each (x, T) pair
    t_index: IntArray  # per row: its (x, T) pair
    tx_x: FloatArray
    tx_y: FloatArray
    tx_ix: IntArray
    tx_index: IntArray
    weights: FloatArray
    buffers: FloatArray  # (3, rows) scratch space for log_mix

    @classmethod
    def build(
        cls, x: FloatArray, t_x: FloatArray, big_t: FloatArray, weights: FloatArray
    ) -> PairedRows:
        xf = Factor.of(x)
        n_x = len(xf.values)
        weight_x = np.bincount(xf.index, weights=weights, minlength=n_x).astype(np.float64)
        tx, ty, tix, tindex = distinct_pairs(xf, big_t)
        rx, ry, rix, rindex = distinct_pairs(xf, t_x)
        buffers = np.empty((3, len(x)))
        return cls(xf, weight_x, tx, ty, tix, tindex, rx, ry, rix, rindex, weights, buffers)

    def log_mix(
        self, log_a: FloatArray, log_b: FloatArray, *, with_shares: bool
    ) -> tuple[float, FloatArray, FloatArray]:
        """Σ w·log(e^A + e^B) over rows, and Σ w·e^A/(e^A+e^B) per (x, T) pair (B likewise).

        A and B are shifted by a common per-x maximum so that e^A + e^B is an ordinary
        float product (no log-sum-exp per row: ~4× cheaper); if a row still underflows
        (terms 700 e-folds apart within one x, never seen on real data) the row-wise
        log-sum-exp is used instead.
        """
        n_x = len(self.x.values)
        shift = np.full(n_x, -np.inf)
        np.maximum.at(shift, self.t_ix, log_a)
        np.maximum.at(shift, self.tx_ix, log_b)
        empty = np.empty(0)
        if not np.all(np.isfinite(shift)):
            return -math.inf, empty, empty
        # preallocated row buffers: fresh 2 MB temporaries cost page faults that made
        # this 2-3× slower (8.6 → 3.9 ms at 249k rows)
        ea, eb, work = self.buffers
        np.take(np.exp(log_a - shift[self.t_ix]), self.t_index, out=ea)
        np.take(np.exp(log_b - shift[self.tx_ix]), self.tx_index, out=eb)
        np.add(ea, eb, out=work)
        if np.min(work) > 1e-280:
            ll = float(self.weights @ np.log(work, out=work)) + float(self.weight_x @ shift)
            if not with_shares:
                return ll, empty, empty
            np.add(ea, eb, out=work)
            np.divide(self.weights, work, out=work)
            share_a = np.multiply(work, ea, out=ea)
            share_b = np.multiply(work, eb, out=eb)
        else:
            la = log_a[self.t_index]
            lb = log_b[self.tx_index]
            mix = logaddexp(la, lb)
            ll = float(self.weights @ mix)
            if not with_shares:
                return ll, empty, empty
            share_a = self.weights * np.exp(la - mix)
            share_b = self.weights * np.exp(lb - mix)
        per_a = np.bincount(self.t_index, weights=share_a, minlength=len(self.t_x))
        per_b = np.bincount(self.tx_index, weights=share_b, minlength=len(self.tx_x))
        return ll, per_a.astype(np.float64), per_b.astype(np.float64)
