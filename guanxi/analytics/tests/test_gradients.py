"""Analytic likelihood gradients agree with finite differences; pair totals with row sums."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from guanxi.analytics.compute import bgnbd, compress, pareto_nbd
from guanxi.analytics.compute.fitting import PairedRows

Arr = npt.NDArray[np.float64]


def _rows(seed: int = 5, n: int = 3000) -> tuple[Arr, Arr, Arr, PairedRows]:
    rng = np.random.default_rng(seed)
    big_t = rng.integers(20, 365, size=n) / 7.0
    x = rng.poisson(rng.gamma(0.6, 1 / 0.8, size=n) * big_t / 6).astype(np.float64)
    t_x = np.where(x > 0, np.round(big_t * 7 * rng.beta(3, 1, size=n)) / 7, 0.0)
    stats = compress(x, t_x, big_t)
    rows = PairedRows.build(stats.x, stats.t_x, stats.T, stats.weights)
    return x, t_x, big_t, rows


def _central(fun: object, params: Arr, rel: float = 1e-6) -> Arr:
    assert callable(fun)
    grad = np.empty_like(params)
    for i in range(len(params)):
        step = np.zeros_like(params)
        step[i] = rel * params[i]
        grad[i] = (fun(params + step) - fun(params - step)) / (2 * step[i])
    return grad


PARETO_POINTS = [
    (0.55, 10.6, 0.61, 11.7),  # alpha < beta (CDNOW-like)
    (1.26, 14.0, 2.41, 92.1),  # alpha << beta
    (0.8, 30.0, 0.3, 2.0),  # alpha > beta
    (0.5, 5.0, 0.7, 5.0),  # alpha == beta: z = 0
    (3.0, 1.0, 0.08, 0.3),  # small s
]


@pytest.mark.parametrize("params", PARETO_POINTS)
def test_pareto_nbd_gradient_matches_finite_differences(
    params: tuple[float, float, float, float],
) -> None:
    _, _, _, rows = _rows()
    p = np.array(params)
    ll, grad = pareto_nbd._total(p, rows, True)
    numeric = _central(lambda q: pareto_nbd._total(q, rows, False)[0], p)
    scale = np.abs(ll) / p  # gradient noise of the difference is relative to |ll| / param
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-7 * scale.max())


@pytest.mark.parametrize("params", PARETO_POINTS)
def test_pareto_nbd_pair_total_equals_row_sum(params: tuple[float, float, float, float]) -> None:
    x, t_x, big_t, rows = _rows()
    p = np.array(params)
    rowwise = pareto_nbd.pareto_nbd_log_likelihood_rows(p, x, t_x, big_t).sum()
    assert pareto_nbd._total(p, rows, False)[0] == pytest.approx(rowwise, rel=1e-12)


@pytest.mark.parametrize(
    "params", [(0.243, 4.41, 0.793, 2.43), (0.62, 6.06, 0.78, 2.39), (2.0, 1.0, 3.0, 0.5)]
)
def test_bgnbd_gradient_matches_finite_differences(
    params: tuple[float, float, float, float],
) -> None:
    x, t_x, big_t, rows = _rows(seed=9)
    p = np.array(params)
    ll, grad = bgnbd._total(p, rows, True)
    numeric = _central(lambda q: bgnbd._total(q, rows, False)[0], p)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-7 * (np.abs(ll) / p).max())
    rowwise, row_grad = bgnbd.bgnbd_log_likelihood_rows(p, x, t_x, big_t, with_gradient=True)
    assert ll == pytest.approx(rowwise.sum(), rel=1e-12)
    assert row_grad is not None
    np.testing.assert_allclose(grad, row_grad.sum(axis=0), rtol=1e-9, atol=1e-9)


def test_log_mix_falls_back_to_log_sum_exp_when_terms_underflow() -> None:
    _, _, _, rows = _rows()
    rng = np.random.default_rng(1)
    log_a = rng.normal(size=len(rows.t_x))
    log_b = rng.normal(size=len(rows.tx_x))
    ll, per_a, per_b = rows.log_mix(log_a, log_b, with_shares=True)
    # push one (x, T) pair 2,000 e-folds below the rest of its x: the shifted sum underflows
    far_a = log_a.copy()
    far_b = log_b.copy()
    # an x with several (x, T) pairs: one of them goes far below the others of that x
    x_of_victim = int(np.argmax(np.bincount(rows.t_ix)))
    victim = int(np.flatnonzero(rows.t_ix == x_of_victim)[0])
    far_a[victim] -= 2000.0
    far_b[rows.tx_ix == x_of_victim] -= 2000.0
    ll_far, _, _ = rows.log_mix(far_a, far_b, with_shares=True)
    expected = float(rows.weights @ np.logaddexp(far_a[rows.t_index], far_b[rows.tx_index]))
    assert np.isfinite(ll_far)
    assert ll_far == pytest.approx(expected, rel=1e-12)
    # shares sum to the weights
    assert per_a.sum() + per_b.sum() == pytest.approx(rows.weights.sum(), rel=1e-12)
    assert ll == pytest.approx(
        float(rows.weights @ np.logaddexp(log_a[rows.t_index], log_b[rows.tx_index])), rel=1e-12
    )
