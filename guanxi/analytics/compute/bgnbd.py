"""BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

Purchases follow a Poisson process with rate λ ~ Gamma(r, α); after each purchase the
customer drops out with probability p ~ Beta(a, b).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
from scipy.special import betaln, digamma, gammaln, hyp2f1

from guanxi.analytics.compute.fitting import FitResult, PairedRows, as_params, fit_mle
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


def _total(params: FloatArray, rows: PairedRows, grad: bool) -> tuple[float, FloatArray]:
    """Weighted log-likelihood (and gradient in r, α, a, b) through the distinct pairs.

    Per row ll = A1(x) + log(e^A2(x, T) + e^A3(x, t_x)): A2 lives on the distinct (x, T)
    pairs, A3 on the distinct (x, t_x) pairs and A1 on the distinct x values, so betaln,
    digamma and the logs run a few thousand times, and ``PairedRows.log_mix`` does the rest
    with one gather, one add and one log per row (the gradient folds the row weights back
    onto the pairs with two bincounts).
    """
    r, alpha, a, b = (float(v) for v in params)
    ux = rows.x.values
    repeat = ux > 0
    xm1 = np.where(repeat, ux - 1, 0.0)
    base = betaln(a, b)
    a1 = gammaln(r + ux) - gammaln(r) + r * np.log(alpha)
    b2 = betaln(a, b + ux) - base
    b3 = np.where(repeat, betaln(a + 1, b + xm1) - base, -np.inf)
    log_at = np.log(alpha + rows.t_y)
    log_atx = np.log(alpha + rows.tx_y)
    log_a2 = b2[rows.t_ix] - (r + rows.t_x) * log_at
    log_a3 = b3[rows.tx_ix] - (r + rows.tx_x) * log_atx
    ll, per2, per3 = rows.log_mix(log_a2, log_a3, with_shares=grad)
    wx = rows.weight_x
    ll += float(wx @ a1)
    if not grad or not np.isfinite(ll):
        return ll, np.empty(0)
    dg_abx = digamma(a + b + ux)
    d_base_a = digamma(a) - digamma(a + b)
    d_base_b = digamma(b) - digamma(a + b)
    # per distinct x: ∂b2/∂(a, b) and ∂b3/∂(a, b)
    b2_a = digamma(a) - dg_abx - d_base_a
    b2_b = digamma(b + ux) - dg_abx - d_base_b
    b3_a = digamma(a + 1) - dg_abx - d_base_a
    b3_b = digamma(b + xm1) - dg_abx - d_base_b
    # share-weighted sums per distinct x for the x-only parts
    s2 = np.bincount(rows.t_ix, weights=per2, minlength=len(ux))
    s3 = np.bincount(rows.tx_ix, weights=per3, minlength=len(ux))
    n = wx.sum()
    d_r = wx @ (digamma(r + ux) - digamma(r)) + n * np.log(alpha)
    d_r -= per2 @ log_at + per3 @ log_atx
    d_alpha = n * r / alpha
    d_alpha -= per2 @ ((r + rows.t_x) / (alpha + rows.t_y))
    d_alpha -= per3 @ ((r + rows.tx_x) / (alpha + rows.tx_y))
    d_a = s2 @ b2_a + s3 @ np.where(repeat, b3_a, 0.0)
    d_b = s2 @ b2_b + s3 @ np.where(repeat, b3_b, 0.0)
    return ll, np.array([d_r, d_alpha, d_a, d_b], dtype=np.float64)


def fit_bgnbd(
    stats: SufficientStats, *, initial: Sequence[float] = (1.0, 1.0, 1.0, 1.0)
) -> FitResult:
    """Maximum-likelihood BG/NBD parameters r, alpha, a, b from compressed statistics."""
    rows = PairedRows.build(stats.x, stats.t_x, stats.T, stats.weights)
    return fit_mle(
        model="bgnbd",
        names=NAMES,
        initial=initial,
        n_customers=float(stats.weights.sum()),
        n_rows=len(stats.x),
        total_loglik=lambda p: _total(p, rows, False)[0],
        total_loglik_grad=lambda p: _total(p, rows, True),
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
    return _f(
        bgnbd_expected_purchases_if_alive(params, t, x, big_t)
        * bgnbd_probability_alive(params, x, t_x, big_t)
    )


def bgnbd_expected_purchases_if_alive(
    params: Mapping[str, float], t: float | npt.ArrayLike, x: npt.ArrayLike, big_t: npt.ArrayLike
) -> FloatArray:
    """E[X(T, T+t) | alive at T, x, T]: depends on x and T only (not on t_x), so CLV loops
    can evaluate it once per distinct (x, T) pair and multiply by P(alive) per row."""
    r, alpha, a, b = as_params(params, NAMES)
    x, big_t, tt = _f(x), _f(big_t), _f(t)
    z = tt / (alpha + big_t + tt)
    hyp = hyp2f1(r + x, b + x, a + b + x - 1, z)
    log_lead = (r + x) * (np.log(alpha + big_t) - np.log(alpha + big_t + tt))
    return _f((a + b + x - 1) / (a - 1) * (1.0 - np.exp(log_lead) * hyp))


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
