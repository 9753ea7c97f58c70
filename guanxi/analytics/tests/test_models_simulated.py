"""Seeded simulations: the fitters recover known parameters within sampling error."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from scipy.integrate import quad

from guanxi.analytics.compute import (
    FitResult,
    compress,
    fit_bgnbd,
    fit_gamma_gamma,
    fit_pareto_nbd,
    pareto_nbd_probability_alive,
)
from guanxi.analytics.compute.pareto_nbd import _log_f, pareto_nbd_log_likelihood_rows

N = 100_000
Arr = npt.NDArray[np.float64]


def _observation_days(rng: np.random.Generator, n: int) -> Arr:
    # customers joined on a whole day between 30 and 52 weeks before the end
    return rng.integers(210, 365, size=n).astype(np.float64)


def _order_statistic(rng: np.random.Generator, k: Arr, n: Arr) -> Arr:
    """k-th smallest of n uniforms on [0, 1] (0 where k == 0)."""
    safe_k = np.maximum(k, 1)
    return np.where(k > 0, rng.beta(safe_k, np.maximum(n - safe_k + 1, 1)), 0.0)


def simulate_bgnbd(
    rng: np.random.Generator, r: float, alpha: float, a: float, b: float
) -> tuple[Arr, Arr, Arr]:
    """x, t_x, T in weeks (day resolution) from the BG/NBD story."""
    days = _observation_days(rng, N)
    big_t = days / 7
    lam = rng.gamma(r, 1 / alpha, size=N)
    p = rng.beta(a, b, size=N)
    in_window = rng.poisson(lam * big_t).astype(np.float64)
    purchases_until_dropout = rng.geometric(p).astype(np.float64)
    x = np.minimum(in_window, purchases_until_dropout)
    t_x = np.round(days * _order_statistic(rng, x, in_window)) / 7
    return x, np.minimum(t_x, big_t), big_t


def simulate_pareto_nbd(
    rng: np.random.Generator, r: float, alpha: float, s: float, beta: float
) -> tuple[Arr, Arr, Arr]:
    days = _observation_days(rng, N)
    big_t = days / 7
    lam = rng.gamma(r, 1 / alpha, size=N)
    mu = rng.gamma(s, 1 / beta, size=N)
    active = np.minimum(rng.exponential(1 / mu), big_t)
    x = rng.poisson(lam * active).astype(np.float64)
    t_x = np.round(7 * active * _order_statistic(rng, x, x)) / 7
    return x, t_x, big_t


def _within(fit: FitResult, truth: dict[str, float], z: float = 4.0) -> None:
    for name, value in truth.items():
        se = fit.standard_errors[name]
        assert se is not None
        assert abs(fit.params[name] - value) < z * se, (name, fit.params[name], value, se)


def test_bgnbd_recovers_simulated_parameters() -> None:
    truth = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
    x, t_x, big_t = simulate_bgnbd(np.random.default_rng(7), **truth)
    stats = compress(x, t_x, big_t)
    assert len(stats.x) < N  # compression pays off at day resolution
    fit = fit_bgnbd(stats)
    _within(fit, truth)


def test_pareto_nbd_recovers_simulated_parameters() -> None:
    truth = {"r": 0.55, "alpha": 10.0, "s": 0.6, "beta": 12.0}
    x, t_x, big_t = simulate_pareto_nbd(np.random.default_rng(11), **truth)
    fit = fit_pareto_nbd(compress(x, t_x, big_t))
    _within(fit, truth)


def test_gamma_gamma_recovers_simulated_parameters() -> None:
    rng = np.random.default_rng(3)
    p, q, gamma = 6.0, 3.5, 15.0
    x = rng.integers(1, 10, size=N).astype(np.float64)
    nu = rng.gamma(q, 1 / gamma, size=N)
    # the mean of x Gamma(p, nu) spends is Gamma(p x, nu x)
    mean_spend = rng.gamma(p * x, 1 / (nu * x))
    fit = fit_gamma_gamma(x, mean_spend)
    _within(fit, {"p": p, "q": q, "gamma": gamma})


@pytest.mark.parametrize(
    ("r", "alpha", "s", "beta", "x", "t_x", "big_t"),
    [
        (0.55, 10.6, 0.61, 11.7, 2.0, 30.4, 38.9),
        (0.06, 0.09, 1.15, 8.47, 187.0, 0.42, 1.96),  # scipy's Pfaff form gives NaN here
        (19.3, 15.4, 0.08, 0.33, 196.0, 0.81, 18.1),
        (0.5, 3.0, 0.7, 3.0 * (1 + 1e-12), 5.0, 10.0, 40.0),  # alpha ≈ beta
        (2.0, 0.01, 0.5, 50.0, 300.0, 200.0, 365.0),
    ],
)
def test_pareto_nbd_integral_matches_quadrature(
    r: float, alpha: float, s: float, beta: float, x: float, t_x: float, big_t: float
) -> None:
    xs, lo, hi = np.array([x]), np.array([t_x]), np.array([big_t])
    f_lo, f_hi = _log_f(r, alpha, s, beta, xs, lo)[0], _log_f(r, alpha, s, beta, xs, hi)[0]
    # scale by the integrand at t_x so that quad works on numbers near 1
    scale = -(r + x) * np.log(alpha + t_x) - (s + 1) * np.log(beta + t_x)

    def integrand(u: float) -> float:
        return float(np.exp(-(r + x) * np.log(alpha + u) - (s + 1) * np.log(beta + u) - scale))

    reference, _ = quad(integrand, t_x, big_t, epsabs=0, epsrel=1e-12, limit=500)
    ours = (np.exp(f_lo - scale) - np.exp(f_hi - scale)) / (r + s + x)
    assert ours == pytest.approx(reference, rel=1e-8)


def test_pareto_nbd_is_finite_when_recency_equals_age_and_alpha_equals_beta() -> None:
    x = np.array([0.0, 3.0, 3.0, 50.0])
    t_x = np.array([0.0, 20.0, 20.0, 20.0])
    big_t = np.array([20.0, 20.0, 20.0 + 1e-12, 20.0])
    for params in ([0.5, 5.0, 0.6, 5.0], [0.5, 5.0, 0.6, 5.0 + 1e-9], [0.5, 5.0, 0.6, 7.0]):
        ll = pareto_nbd_log_likelihood_rows(np.array(params), x, t_x, big_t)
        assert np.isfinite(ll).all()
        named = dict(zip(("r", "alpha", "s", "beta"), params, strict=True))
        assert np.isfinite(pareto_nbd_probability_alive(named, x, t_x, big_t)).all()
    # continuity across alpha = beta
    a = pareto_nbd_log_likelihood_rows(np.array([0.5, 5.0, 0.6, 5.0]), x, t_x, big_t)
    b = pareto_nbd_log_likelihood_rows(np.array([0.5, 5.0, 0.6, 5.0 * (1 + 1e-9)]), x, t_x, big_t)
    np.testing.assert_allclose(a, b, rtol=1e-7)
