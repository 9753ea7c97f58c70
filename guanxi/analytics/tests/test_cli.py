"""`guanxi analytics` command line: JSON fits, per-customer files, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from guanxi.analytics.cli import main
from guanxi.analytics.tests.conftest import load_cdnow_raw


@pytest.fixture(scope="module")
def cdnow_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "cdnow.csv"
    load_cdnow_raw().write_csv(path)
    return path


def _base(path: Path) -> list[str]:
    return [
        "--transactions", str(path), "--customer-col", "id", "--date-col", "date",
        "--date-format", "%Y%m%d", "--period", "week", "--calibration-end", "1997-09-30",
        "--no-progress",
    ]  # fmt: skip


def test_fit_bgnbd_prints_published_parameters_as_json(
    cdnow_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fit", "--model", "bgnbd", *_base(cdnow_csv)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert round(out["params"]["r"], 3) == 0.243
    assert round(out["log_likelihood"], 1) == -9582.4
    assert out["n_customers"] == 2357
    assert set(out["standard_errors"]) == {"r", "alpha", "a", "b"}


def test_fit_gamma_gamma_and_pareto_nbd(
    cdnow_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fit", "--model", "gg", *_base(cdnow_csv), "--amount-col", "amount"]) == 0
    assert round(json.loads(capsys.readouterr().out)["params"]["p"], 2) == 6.25
    assert main(["fit", "--model", "pnbd", *_base(cdnow_csv)]) == 0
    assert round(json.loads(capsys.readouterr().out)["params"]["s"], 3) == 0.606


@pytest.mark.parametrize("command", ["rfm", "clv", "churn", "clusters"])
def test_commands_write_one_row_per_customer(cdnow_csv: Path, tmp_path: Path, command: str) -> None:
    out = tmp_path / f"{command}.parquet"
    extra = ["--amount-col", "amount"] if command in {"clv", "rfm"} else []
    if command == "clusters":
        extra += ["--k-max", "4"]
    assert main([command, *_base(cdnow_csv), *extra, "--output", str(out)]) == 0
    frame = pl.read_parquet(out)
    assert frame.height == 2357
    assert frame.null_count().sum_horizontal().item() == 0


def test_recommend_writes_csv(tmp_path: Path) -> None:
    src = tmp_path / "tx.csv"
    pl.DataFrame(
        {
            "cid": ["a", "a", "b", "b", "c"],
            "day": ["2024-01-01"] * 5,
            "sku": ["tea", "cups", "tea", "cups", "tea"],
        }
    ).write_csv(src)
    out = tmp_path / "recs.csv"
    args = ["recommend", "--transactions", str(src), "--customer-col", "cid", "--date-col", "day"]
    assert main([*args, "--product-col", "sku", "--output", str(out), "--no-progress"]) == 0
    recs = pl.read_csv(out)
    # tea → cups: 2 of the 3 tea buyers bought cups
    row = recs.row(0, named=True)
    assert (row["customer_id"], row["rank"], row["product"]) == ("c", 1, "cups")
    assert row["score"] == pytest.approx(2 / 3)


def test_bad_input_gives_clear_error_and_nonzero_exit(
    cdnow_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = ["fit", "--model", "bgnbd", *_base(cdnow_csv)]
    missing[missing.index("id")] = "customer"
    assert main(missing) == 2
    assert "customer" in capsys.readouterr().err
    assert main(["fit", "--model", "bgnbd", *_base(tmp_path / "nope.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err
    bad_out = ["rfm", *_base(cdnow_csv), "--output", str(tmp_path / "x.json")]
    assert main(bad_out) == 2
    assert ".csv or .parquet" in capsys.readouterr().err
    assert main(["fit", "--model", "nope"]) == 2
