"""BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

Purchases follow a Poisson process with rate λ ~ Gamma(r, α); after each purchase the
customer drops out with probability p ~ Beta(a, b).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import betaln, digamma, gammaln, hyp2f1

from guanxi.analytics.compute.fitting import Factor, FitResult, as_params, fit_mle, logaddexp
from guanxi.analytics.compute.summary import SufficientStats

FloatArray = npt.NDArray[np.float64]
NAMES = ("r", "alpha", "a", "b")


def _f(v: npt.ArrayLike) -> FloatArray:
    return np.asarray(v, dtype=np.float64)


def bgnbd_log_likelihood_rows(
    params: Sequence[float] | FloatArray,
    x: FloatArray,
    t_x: FloatArray,
    big_t: FloatArray,
    *,
    with_gradient: bool = False,
) -> tuple[FloatArray, FloatArray | None]:
    """Per-row log-likelihood (and its gradient in r, α, a, b) in the log-sum-exp form."""
    r, alpha, a, b = (float(v) for v in params)
    repeat = x > 0
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    base = betaln(a, b)
    a2 = betaln(a, b + x) - base - (r + x) * np.log(alpha + big_t)
    # the "dropped out after the last purchase" branch exists only for repeat buyers
    xm1 = np.where(repeat, x - 1, 0.0)
    a3 = np.where(repeat, betaln(a + 1, b + xm1) - base - (r + x) * np.log(alpha + t_x), -np.inf)
    mix = np.logaddexp(a2, a3)
    ll = a1 + mix
    if not with_gradient:
        return ll, None
    w2 = np.exp(a2 - mix)
    w3 = 1.0 - w2
    log_at = np.log(alpha + big_t)
    log_atx = np.log(alpha + t_x)
    dg_ab = digamma(a + b)
    dg_abx = digamma(a + b + x)
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w2 * log_at - w3 * log_atx
    d_alpha = r / alpha - (r + x) * (w2 / (alpha + big_t) + w3 / (alpha + t_x))
    d_base_a = digamma(a) - dg_ab
    d_base_b = digamma(b) - dg_ab
    d_a = w2 * (digamma(a) - dg_abx) + w3 * (digamma(a + 1) - dg_abx) - d_base_a
    d_b = w2 * (digamma(b + x) - dg_abx) + w3 * (digamma(b + xm1) - dg_abx) - d_base_b
    grad = np.column_stack([d_r, d_alpha, d_a, d_b])
    return ll, grad


@dataclass(frozen=True)
class _Design:
    """Rows factorised by x, T and t_x: x-only, T-only and t_x-only terms are computed once."""

    x: Factor
    t: Factor
    tx: Factor
    xr: FloatArray
    weights: FloatArray

    @classmethod
    def build(cls, stats: SufficientStats) -> _Design:
        return cls(
            Factor.of(stats.x), Factor.of(stats.T), Factor.of(stats.t_x), stats.x, stats.weights
        )


def _total(params: FloatArray, d: _Design, with_gradient: bool) -> tuple[float, FloatArray]:
    """Weighted log-likelihood (and gradient) evaluated through the factorised design."""
    r, alpha, a, b = (float(v) for v in params)
    ux = d.x.values
    repeat_u = ux > 0
    xm1_u = np.where(repeat_u, ux - 1, 0.0)
    base = betaln(a, b)
    a1_u = gammaln(r + ux) - gammaln(r) + r * np.log(alpha)
    b2_u = betaln(a, b + ux) - base
    b3_u = np.where(repeat_u, betaln(a + 1, b + xm1_u) - base, -np.inf)
    log_at_u = np.log(alpha + d.t.values)
    log_atx_u = np.log(alpha + d.tx.values)
    ix, it, itx = d.x.index, d.t.index, d.tx.index
    rx = r + d.xr
    a2 = b2_u[ix] - rx * log_at_u[it]
    a3 = b3_u[ix] - rx * log_atx_u[itx]
    mix = logaddexp(a2, a3)
    w = d.weights
    ll = float(w @ (a1_u[ix] + mix))
    if not with_gradient:
        return ll, np.empty(0)
    w2 = np.exp(a2 - mix)
    w3 = 1.0 - w2
    ww2, ww3 = w * w2, w * w3
    # weights summed per distinct x turn x-only gradient terms into tiny dot products
    wx = np.bincount(ix, weights=w, minlength=len(ux))
    w2x = np.bincount(ix, weights=ww2, minlength=len(ux))
    w3x = np.bincount(ix, weights=ww3, minlength=len(ux))
    dg_abx = digamma(a + b + ux)
    dg_ab = digamma(a + b)
    d_r = wx @ (digamma(r + ux) - digamma(r) + np.log(alpha)) - (
        ww2 @ log_at_u[it] + ww3 @ log_atx_u[itx]
    )
    inv_at, inv_atx = 1.0 / (alpha + d.t.values), 1.0 / (alpha + d.tx.values)
    d_alpha = r / alpha * wx.sum() - (ww2 * rx) @ inv_at[it] - (ww3 * rx) @ inv_atx[itx]
    d_a = (
        w2x @ (digamma(a) - dg_abx)
        + w3x @ np.where(repeat_u, digamma(a + 1) - dg_abx, 0.0)
        - wx.sum() * (digamma(a) - dg_ab)
    )
    d_b = (
        w2x @ (digamma(b + ux) - dg_abx)
        + w3x @ np.where(repeat_u, digamma(b + xm1_u) - dg_abx, 0.0)
        - wx.sum() * (digamma(b) - dg_ab)
    )
    return ll, np.array([d_r, d_alpha, d_a, d_b], dtype=np.float64)


def fit_bgnbd(
    stats: SufficientStats, *, initial: Sequence[float] = (1.0, 1.0, 1.0, 1.0)
) -> FitResult:
    """Maximum-likelihood BG/NBD parameters r, alpha, a, b from compressed statistics."""
    design = _Design.build(stats)
    return fit_mle(
        model="bgnbd",
        names=NAMES,
        initial=initial,
        n_customers=float(stats.weights.sum()),
        n_rows=len(stats.x),
        total_loglik=lambda p: _total(p, design, False)[0],
        total_loglik_grad=lambda p: _total(p, design, True),
    )


def bgnbd_probability_alive(
    params: Mapping[str, float], x: npt.ArrayLike, t_x: npt.ArrayLike, big_t: npt.ArrayLike
) -> FloatArray:
    """P(alive | x, t_x, T); 1 for customers without repeat purchases (a known BG/NBD trait)."""
    r, alpha, a, b = as_params(params, NAMES)
    x, t_x, big_t = _f(x), _f(t_x), _f(big_t)
    log_ratio = (
        np.log(a)
        - np.log(np.maximum(b + x - 1, 1e-300))
        + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
    )
    return np.where(x > 0, 1.0 / (1.0 + np.exp(np.minimum(log_ratio, 700.0))), 1.0)


def bgnbd_expected_purchases(
    params: Mapping[str, float],
    t: float | npt.ArrayLike,
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    big_t: npt.ArrayLike,
) -> FloatArray:
    """E[X(T, T+t) | x, t_x, T]: expected purchases in the next t units."""
    r, alpha, a, b = as_params(params, NAMES)
    x, t_x, big_t, tt = _f(x), _f(t_x), _f(big_t), _f(t)
    z = tt / (alpha + big_t + tt)
    hyp = hyp2f1(r + x, b + x, a + b + x - 1, z)
    log_lead = (r + x) * (np.log(alpha + big_t) - np.log(alpha + big_t + tt))
    numer = (a + b + x - 1) / (a - 1) * (1.0 - np.exp(log_lead) * hyp)
    return _f(numer * bgnbd_probability_alive(params, x, t_x, big_t))


def bgnbd_expected_purchases_new(
    params: Mapping[str, float], t: float | npt.ArrayLike
) -> FloatArray:
    """E[X(t)] for a customer who has just made a first purchase."""
    r, alpha, a, b = as_params(params, NAMES)
    tt = _f(t)
    hyp = hyp2f1(r, b, a + b - 1, tt / (alpha + tt))
    return _f((a + b - 1) / (a - 1) * (1.0 - (alpha / (alpha + tt)) ** r * hyp))


def bgnbd_probability_no_purchase(
    params: Mapping[str, float],
    t: float | npt.ArrayLike,
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    big_t: npt.ArrayLike,
) -> FloatArray:
    """P(no purchase in the next t units | x, t_x, T) = 1 − P(alive)(1 − ((α+T)/(α+T+t))^(r+x))."""
    r, alpha, _, _ = as_params(params, NAMES)
    x, big_t, tt = _f(x), _f(big_t), _f(t)
    alive = bgnbd_probability_alive(params, x, t_x, big_t)
    silent_if_alive = np.exp((r + x) * (np.log(alpha + big_t) - np.log(alpha + big_t + tt)))
    return _f(1.0 - alive * (1.0 - silent_if_alive))
