"""Pareto/NBD model (Schmittlein, Morrison & Colombo 1987; Fader & Hardie 2005 note).

Purchases are Poisson(λ), λ ~ Gamma(r, α); lifetimes are Exponential(μ), μ ~ Gamma(s, β).

Numerics. The likelihood is
    L = Γ(r+x)α^r β^s / Γ(r) · [ (α+T)^-(r+x) (β+T)^-s + s·I ],
    I = ∫_{t_x}^{T} (α+τ)^-(r+x) (β+τ)^-(s+1) dτ = (F(t_x) − F(T)) / (r+s+x),
    F(y) = 2F1(r+s+x, b; r+s+x+1; z(y)) / (M+y)^(r+s+x),
with M = max(α, β), m = min(α, β), z = (M−m)/(M+y), b = s+1 if α ≥ β else r+x. We apply
Euler's transformation, 2F1(a, b; a+1; z) = (1−z)^(1−b) 2F1(1, a+1−b; a+1; z): the new series
has only positive terms and lies in [1, 1/(1−z)], so log F never overflows even for heavy
buyers or very unequal α, β (scipy's hyp2f1 is also accurate there, where the Pfaff form
with a negative argument returned NaN or wrong values in tests), and α = β is the ordinary
z = 0 case (no special branch). The two terms
are combined with log-sum-exp and F(t_x) − F(T) with log1p, so t_x = T gives I = 0 exactly
(no NaN, unlike lifetimes 0.11.3 on scipy ≥ 1.16). F only depends on (x, y), so it is
evaluated once per distinct (x, t_x) and (x, T) pair.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln, hyp2f1

from guanxi.analytics.compute.fitting import Factor, FitResult, as_params, fit_mle, logaddexp
from guanxi.analytics.compute.summary import SufficientStats

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
NAMES = ("r", "alpha", "s", "beta")


def _f(v: npt.ArrayLike) -> FloatArray:
    return np.asarray(v, dtype=np.float64)


def _log_f(
    r: float, alpha: float, s: float, beta: float, x: FloatArray, y: FloatArray
) -> FloatArray:
    """log F(y) for the integral I (see module docstring), stable for all arguments."""
    big, small = max(alpha, beta), min(alpha, beta)
    rsx = r + s + x
    # c − b of the original 2F1(r+s+x, b; r+s+x+1; z): r+x when α ≥ β, s+1 otherwise
    c_minus_b = r + x if alpha >= beta else (s + 1.0) + 0.0 * x
    log_ratio = np.log(big + y) - np.log(small + y)
    z = (big - small) / (big + y)
    log_hyp = np.log(hyp2f1(1.0, c_minus_b, rsx + 1.0, z))
    return _f((rsx - c_minus_b) * log_ratio - rsx * np.log(big + y) + log_hyp)


def _lifetime_factor(s: float, log_growth: FloatArray) -> FloatArray:
    """(1 − e^{−(s−1)L})/(s−1), which tends to L as s → 1; expm1 keeps it exact near 1."""
    if abs(s - 1.0) < 1e-8:
        return log_growth
    return np.asarray(-np.expm1(-(s - 1.0) * log_growth) / (s - 1.0), dtype=np.float64)


@dataclass(frozen=True)
class _Pairs:
    """Distinct (x, t_x) and (x, T) pairs with the index that maps rows back to them."""

    x_tx: FloatArray
    tx: FloatArray
    idx_tx: IntArray
    x_t: FloatArray
    t: FloatArray
    idx_t: IntArray

    @classmethod
    def build(cls, x: FloatArray, t_x: FloatArray, big_t: FloatArray) -> _Pairs:
        def uniq(y: FloatArray) -> tuple[FloatArray, FloatArray, IntArray]:
            pairs, inv = np.unique(np.column_stack([x, y]), axis=0, return_inverse=True)
            return pairs[:, 0].copy(), pairs[:, 1].copy(), inv.reshape(-1).astype(np.int64)

        a, b, c = uniq(t_x)
        d, e, f = uniq(big_t)
        return cls(a, b, c, d, e, f)


def _log_terms(
    params: Sequence[float] | FloatArray,
    x: FloatArray,
    t_x: FloatArray,
    big_t: FloatArray,
    pairs: _Pairs | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(log prefactor, log 'alive at T' term, log 'died in (t_x, T]' term) per row."""
    r, alpha, s, beta = (float(v) for v in params)
    if pairs is None:
        log_f_tx = _log_f(r, alpha, s, beta, x, t_x)
        log_f_t = _log_f(r, alpha, s, beta, x, big_t)
    else:
        log_f_tx = _log_f(r, alpha, s, beta, pairs.x_tx, pairs.tx)[pairs.idx_tx]
        log_f_t = _log_f(r, alpha, s, beta, pairs.x_t, pairs.t)[pairs.idx_t]
    prefactor = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
    # F is decreasing, so the difference is >= 0; clamp rounding noise when t_x == T
    diff = np.minimum(log_f_t - log_f_tx, 0.0)
    with np.errstate(divide="ignore"):
        log_a0 = log_f_tx + np.log1p(-np.exp(diff))
    died = np.log(s) + log_a0 - np.log(r + s + x)
    return prefactor, alive, died


def pareto_nbd_log_likelihood_rows(
    params: Sequence[float] | FloatArray,
    x: FloatArray,
    t_x: FloatArray,
    big_t: FloatArray,
    pairs: _Pairs | None = None,
) -> FloatArray:
    """Per-row Pareto/NBD log-likelihood."""
    prefactor, alive, died = _log_terms(params, x, t_x, big_t, pairs)
    return prefactor + np.logaddexp(alive, died)


def _total(params: FloatArray, pairs: _Pairs, x: Factor, weights: FloatArray) -> float:
    """Weighted log-likelihood; every term is computed per distinct x, (x, t_x) or (x, T)."""
    r, alpha, s, beta = (float(v) for v in params)
    ux = x.values
    log_f_tx_p = _log_f(r, alpha, s, beta, pairs.x_tx, pairs.tx)
    log_f_t_p = _log_f(r, alpha, s, beta, pairs.x_t, pairs.t)
    died_p = np.log(s) - np.log(r + s + pairs.x_tx) + log_f_tx_p
    alive_p = -(r + pairs.x_t) * np.log(alpha + pairs.t) - s * np.log(beta + pairs.t)
    prefactor_u = gammaln(r + ux) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    diff = np.minimum(log_f_t_p[pairs.idx_t] - log_f_tx_p[pairs.idx_tx], 0.0)
    died = died_p[pairs.idx_tx] + np.log1p(-np.exp(diff))
    per_x = np.bincount(x.index, weights=weights, minlength=len(ux))
    return float(per_x @ prefactor_u + weights @ logaddexp(alive_p[pairs.idx_t], died))


def fit_pareto_nbd(
    stats: SufficientStats,
    *,
    initial: Sequence[float] = (1.0, 1.0, 1.0, 1.0),
) -> FitResult:
    """Maximum-likelihood Pareto/NBD parameters r, alpha, s, beta from compressed statistics."""
    pairs = _Pairs.build(stats.x, stats.t_x, stats.T)
    x = Factor.of(stats.x)
    # the gradient of 2F1 in its parameters has no practical closed form: central differences
    return fit_mle(
        model="pareto_nbd",
        names=NAMES,
        initial=initial,
        n_customers=float(stats.weights.sum()),
        n_rows=len(stats.x),
        total_loglik=lambda p: _total(p, pairs, x, stats.weights),
        extra={"n_distinct_pairs": len(pairs.tx) + len(pairs.t)},
    )


def pareto_nbd_probability_alive(
    params: Mapping[str, float], x: npt.ArrayLike, t_x: npt.ArrayLike, big_t: npt.ArrayLike
) -> FloatArray:
    """P(alive at T | x, t_x, T); below 1 for one-time buyers too, unlike BG/NBD."""
    values = as_params(params, NAMES)
    _, alive, died = _log_terms(values, _f(x), _f(t_x), _f(big_t))
    return np.exp(alive - np.logaddexp(alive, died))


def pareto_nbd_expected_purchases(
    params: Mapping[str, float],
    t: float | npt.ArrayLike,
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    big_t: npt.ArrayLike,
) -> FloatArray:
    """E[X(T, T+t) | x, t_x, T] = P(alive)·(r+x)(β+T)/((α+T)(s−1))·[1 − ((β+T)/(β+T+t))^(s−1)]."""
    r, alpha, s, beta = as_params(params, NAMES)
    x, big_t, tt = _f(x), _f(big_t), _f(t)
    log_growth = np.log1p(tt / (beta + big_t))
    factor = _lifetime_factor(s, log_growth)
    rate = (r + x) * (beta + big_t) / (alpha + big_t)
    return rate * factor * pareto_nbd_probability_alive(params, x, t_x, big_t)


def pareto_nbd_expected_purchases_new(
    params: Mapping[str, float], t: float | npt.ArrayLike
) -> FloatArray:
    """E[X(t)] for a new customer = rβ/(α(s−1))·[1 − (β/(β+t))^(s−1)]."""
    r, alpha, s, beta = as_params(params, NAMES)
    log_growth = np.log1p(_f(t) / beta)
    factor = _lifetime_factor(s, log_growth)
    return r * beta / alpha * factor


def pareto_nbd_probability_alive_at(
    params: Mapping[str, float],
    t: float | npt.ArrayLike,
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    big_t: npt.ArrayLike,
) -> FloatArray:
    """P(still alive t units after T | x, t_x, T) = P(alive)·((β+T)/(β+T+t))^s."""
    _, _, s, beta = as_params(params, NAMES)
    big_t, tt = _f(big_t), _f(t)
    survive = np.exp(-s * np.log1p(tt / (beta + big_t)))
    return pareto_nbd_probability_alive(params, x, t_x, big_t) * survive
