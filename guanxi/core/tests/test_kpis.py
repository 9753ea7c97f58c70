from datetime import date
from decimal import Decimal

import pytest

from guanxi.core.errors import Invalid
from guanxi.core.kpis import Kpi, KpiScope, compute_kpi, get_kpi, kpi_catalogue, register_kpi


def test_a_registered_kpi_is_computed_over_its_scope():
    def days(scope: KpiScope) -> Decimal:
        return Decimal((scope.end - scope.start).days + 1)

    register_kpi(Kpi("tests.days", "Days", "count", True, days))
    assert compute_kpi("tests.days", KpiScope(date(2026, 1, 1), date(2026, 1, 31))) == 31
    assert "tests.days" in [k.key for k in kpi_catalogue()]


def test_an_unknown_kpi_is_refused_with_the_field_named():
    with pytest.raises(Invalid) as err:
        get_kpi("nowhere.nothing")
    assert "kpi" in err.value.fields


def test_a_scope_that_ends_before_it_starts_is_refused():
    with pytest.raises(Invalid) as err:
        KpiScope(date(2026, 2, 1), date(2026, 1, 1))
    assert "end" in err.value.fields
