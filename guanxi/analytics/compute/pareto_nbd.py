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

Fitting (``_total``) uses the same integrals rearranged by parts into two positive terms,
one per distinct (x, T) pair and one per distinct (x, t_x) pair, and an analytic gradient:
exact in α and β (two extra 2F1 values), central differences of the O(1) log 2F1 part only
in r and s. One gradient costs about what one likelihood value cost before, against nine
values for the former central-difference gradient (checked in tests/test_gradients.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import digamma, gammaln, hyp2f1

from guanxi.analytics.compute.fitting import FitResult, PairedRows, as_params, fit_mle
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


def _log_j(
    alpha: float, beta: float, a: FloatArray, b: FloatArray | float, y: FloatArray, grad: bool
) -> tuple[FloatArray, FloatArray]:
    """log J and its partial derivatives in (a, α, b, β), J = ∫_y^∞ (α+τ)^-a (β+τ)^-b dτ.

    With v = (α+y)/(α+τ) (α ≥ β; swap the roles otherwise) and Euler's transformation,
    J = (α+y)^-a (β+y)^(1-b) / (a+b-1) · 2F1(1, a; a+b; z), z = (α-β)/(α+y), where the 2F1
    series has positive terms only and lies in [1, 1/(1-z)] (see the module docstring).
    ∂/∂α log J = −a·J(a+1, b)/J and ∂/∂β log J = −b·J(a, b+1)/J are exact (one more 2F1
    value and an identity, below); a and b sit in the 2F1 parameters, where scipy has no derivative, so only the
    O(1) log 2F1 part is differenced (central, relative step 1e-5: error ~1e-10), and the
    large explicit powers are differentiated analytically.
    """
    ge = alpha >= beta
    log_ay, log_by = np.log(alpha + y), np.log(beta + y)
    z = (alpha - beta) / (alpha + y) if ge else (beta - alpha) / (beta + y)

    def log_hyp(aa: FloatArray, bb: FloatArray | float) -> FloatArray:
        return _f(np.log(hyp2f1(1.0, aa if ge else bb, aa + bb, z)))

    c = a + b - 1.0
    h0 = log_hyp(a, b)
    lead = -a * log_ay - (b - 1.0) * log_by if ge else -b * log_by - (a - 1.0) * log_ay
    log_j = lead - np.log(c) + h0
    if not grad:
        return _f(log_j), np.empty(0)
    # by parts, a·J(a+1, b) + b·J(a, b+1) = (α+y)^-a (β+y)^-b =: A, so ∂α + ∂β = −A/J: one
    # 2F1 gives the derivative in the larger of α, β and the identity the other one, with
    # an error ≤ ε·(a+b) on the log scale (the subtraction only loses digits of the term
    # that the smaller parameter multiplies); saves two of the fourteen 2F1 calls
    shrink = c / (c + 1.0)
    a_over_j = np.exp(-a * log_ay - b * log_by - log_j)
    if ge:
        d_alpha = -a / (alpha + y) * shrink * np.exp(log_hyp(a + 1.0, b) - h0)
        d_beta = -a_over_j - d_alpha
    else:
        d_beta = -b / (beta + y) * shrink * np.exp(log_hyp(a, b + 1.0) - h0)
        d_alpha = -a_over_j - d_beta
    ha, hb = 1e-5 * a, 1e-5 * b
    d_a = -log_ay - 1.0 / c + (log_hyp(a + ha, b) - log_hyp(a - ha, b)) / (2 * ha)
    d_b = -log_by - 1.0 / c + (log_hyp(a, b + hb) - log_hyp(a, b - hb)) / (2 * hb)
    return _f(log_j), np.stack([d_a, d_alpha, d_b, d_beta])


def _total(params: FloatArray, rows: PairedRows, grad: bool) -> tuple[float, FloatArray]:
    """Weighted log-likelihood (and gradient in r, α, s, β) through the distinct pairs.

    Integrating by parts, (α+T)^-(r+x)(β+T)^-s = (r+x)·J(r+x+1, s; T) + s·J(r+x, s+1; T), so
        L = Γ(r+x)α^r β^s / Γ(r) · [ (r+x)·J(r+x+1, s; T) + s·J(r+x, s+1; t_x) ]:
    two positive terms, one per distinct (x, T) pair and one per distinct (x, t_x) pair
    (no difference F(t_x) − F(T) to guard), combined per row by ``PairedRows.log_mix``.
    """
    r, alpha, s, beta = (float(v) for v in params)
    ux = rows.x.values
    lj_a, dj_a = _log_j(alpha, beta, r + rows.t_x + 1.0, s, rows.t_y, grad)
    lj_b, dj_b = _log_j(alpha, beta, r + rows.tx_x, s + 1.0, rows.tx_y, grad)
    log_a = np.log(r + rows.t_x) + lj_a
    log_b = np.log(s) + lj_b
    prefactor = gammaln(r + ux) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    ll, per_a, per_b = rows.log_mix(log_a, log_b, with_shares=grad)
    ll += float(rows.weight_x @ prefactor)
    if not grad or not np.isfinite(ll):
        return ll, np.empty(0)
    wx = rows.weight_x
    d_pref = np.array(
        [
            wx @ (digamma(r + ux) - digamma(r)) + wx.sum() * np.log(alpha),
            wx.sum() * r / alpha,
            wx.sum() * np.log(beta),
            wx.sum() * s / beta,
        ]
    )
    dj_a[0] += 1.0 / (r + rows.t_x)  # d/dr log(r + x)
    dj_b[2] += 1.0 / s  # d/ds log s
    return ll, d_pref + dj_a @ per_a + dj_b @ per_b


def fit_pareto_nbd(
    stats: SufficientStats,
    *,
    initial: Sequence[float] = (1.0, 1.0, 1.0, 1.0),
) -> FitResult:
    """Maximum-likelihood Pareto/NBD parameters r, alpha, s, beta from compressed statistics."""
    rows = PairedRows.build(stats.x, stats.t_x, stats.T, stats.weights)
    return fit_mle(
        model="pareto_nbd",
        names=NAMES,
        initial=initial,
        n_customers=float(stats.weights.sum()),
        n_rows=len(stats.x),
        total_loglik=lambda p: _total(p, rows, False)[0],
        total_loglik_grad=lambda p: _total(p, rows, True),
        extra={"n_distinct_pairs": len(rows.t_x) + len(rows.tx_x)},
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
    return pareto_nbd_expected_purchases_if_alive(
        params, t, x, big_t
    ) * pareto_nbd_probability_alive(params, x, t_x, big_t)


def pareto_nbd_expected_purchases_if_alive(
    params: Mapping[str, float], t: float | npt.ArrayLike, x: npt.ArrayLike, big_t: npt.ArrayLike
) -> FloatArray:
    """E[X(T, T+t) | alive at T, x, T]: depends on x and T only (see the BG/NBD twin)."""
    r, alpha, s, beta = as_params(params, NAMES)
    x, big_t, tt = _f(x), _f(big_t), _f(t)
    log_growth = np.log1p(tt / (beta + big_t))
    factor = _lifetime_factor(s, log_growth)
    rate = (r + x) * (beta + big_t) / (alpha + big_t)
    return _f(rate * factor)


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
