"""Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo & Jiang 1999).

A customer's spend per purchase is Gamma(p, ν) with ν ~ Gamma(q, γ); the model is fitted
on the repeat buyers' mean repeat spend. Customers without repeat purchases, or whose mean
spend is not positive (free orders, netted refunds), carry no spend information and are
left out of the fit; their expected spend is the population mean pγ/(q−1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
from scipy.special import digamma, gammaln

from guanxi.analytics.compute.errors import AnalyticsInputError
from guanxi.analytics.compute.fitting import Factor, FitResult, as_params, fit_mle

FloatArray = npt.NDArray[np.float64]
NAMES = ("p", "q", "gamma")


def gamma_gamma_log_likelihood_rows(
    params: Sequence[float] | FloatArray, x: FloatArray, m: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Per-row log-likelihood of mean spend m over x purchases, and its gradient in p, q, γ."""
    p, q, v = (float(value) for value in params)
    px = p * x
    log_vxm = np.log(v + x * m)
    dg = digamma(px + q)
    ll = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(v)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * log_vxm
    )
    d_p = x * (dg - digamma(px) + np.log(m) + np.log(x) - log_vxm)
    d_q = dg - digamma(q) + np.log(v) - log_vxm
    d_v = q / v - (px + q) / (v + x * m)
    return ll, np.column_stack([d_p, d_q, d_v])


def fit_gamma_gamma(
    frequency: npt.ArrayLike,
    monetary_value: npt.ArrayLike,
    *,
    initial: Sequence[float] = (1.0, 1.0, 1.0),
) -> FitResult:
    """Maximum-likelihood Gamma-Gamma p, q, γ on repeat buyers with positive mean spend."""
    x = np.asarray(frequency, dtype=np.float64)
    m = np.asarray(monetary_value, dtype=np.float64)
    if x.shape != m.shape:
        raise AnalyticsInputError("frequency and monetary_value must have the same length")
    bad = ~np.isfinite(m) | (m < 0)
    if bad.any():
        raise AnalyticsInputError(
            "mean spend must be finite and non-negative",
            column="monetary_value",
            count=int(bad.sum()),
            examples=m[bad][:5].tolist(),
        )
    used = (x > 0) & (m > 0)
    if not used.any():
        raise AnalyticsInputError(
            "Gamma-Gamma needs repeat buyers with positive spend; none found",
            column="monetary_value",
            count=0,
        )
    xs, ms = x[used], m[used]
    xf = Factor.of(xs)
    # x-only terms are summed per distinct x; Σ log m and Σ x log m are constants; only
    # log(γ + x m) needs every repeat buyer at each step (m is continuous: no compression)
    count_x = np.bincount(xf.index, minlength=len(xf.values)).astype(np.float64)
    ux = xf.values
    sum_log_m = float(np.log(ms).sum())
    sum_x_log_m = float((xs * np.log(ms)).sum())
    sum_x_log_x = float(count_x @ (ux * np.log(ux)))
    xm = xs * ms

    def total(params: FloatArray, with_gradient: bool) -> tuple[float, FloatArray]:
        p, q, v = (float(value) for value in params)
        pux = p * ux
        log_vxm = np.log(v + xm)
        s_log = float(log_vxm.sum())
        s_x_log = float(xs @ log_vxm)
        ll = (
            count_x @ (gammaln(pux + q) - gammaln(pux))
            - len(xs) * (gammaln(q) - q * np.log(v))
            + p * sum_x_log_m
            - sum_log_m
            + p * sum_x_log_x
            - p * s_x_log
            - q * s_log
        )
        if not with_gradient:
            return float(ll), np.empty(0)
        dg = digamma(pux + q)
        inv = 1.0 / (v + xm)
        d_p = count_x @ (ux * (dg - digamma(pux))) + sum_x_log_m + sum_x_log_x - s_x_log
        d_q = count_x @ dg - len(xs) * (digamma(q) - np.log(v)) - s_log
        d_v = len(xs) * q / v - p * float(xs @ inv) - q * float(inv.sum())
        return float(ll), np.array([d_p, d_q, d_v], dtype=np.float64)

    return fit_mle(
        model="gamma_gamma",
        names=NAMES,
        initial=initial,
        n_customers=float(len(xs)),
        n_rows=len(xs),
        total_loglik=lambda params: total(params, False)[0],
        total_loglik_grad=lambda params: total(params, True),
        extra={"n_excluded": int((~used).sum())},
    )


def gamma_gamma_expected_spend(
    params: Mapping[str, float], frequency: npt.ArrayLike, monetary_value: npt.ArrayLike
) -> FloatArray:
    """E[spend per purchase | x, m̄] = (q−1)/(px+q−1)·pγ/(q−1) + px/(px+q−1)·m̄."""
    p, q, v = as_params(params, NAMES)
    if q <= 1:
        raise AnalyticsInputError(
            f"Gamma-Gamma q={q:.3g} ≤ 1: the population mean spend is infinite"
        )
    x = np.asarray(frequency, dtype=np.float64)
    m = np.asarray(monetary_value, dtype=np.float64)
    # customers whose spend carries no information are treated as having no repeat purchases
    informative = (x > 0) & (m > 0)
    xi = np.where(informative, x, 0.0)
    mi = np.where(informative, m, 0.0)
    return p * (v + xi * mi) / (p * xi + q - 1)


def gamma_gamma_population_mean(params: Mapping[str, float]) -> float:
    """Mean spend per purchase across the population, pγ/(q−1)."""
    p, q, v = as_params(params, NAMES)
    if q <= 1:
        raise AnalyticsInputError(f"Gamma-Gamma q={q:.3g} ≤ 1: the mean spend is infinite")
    return p * v / (q - 1)
