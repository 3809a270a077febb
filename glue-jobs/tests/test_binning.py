import json
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from jsonschema import Draft202012Validator
from pyspark.sql.types import DecimalType, DoubleType, StringType, StructField, StructType

from sentinel_etl import fitted_state
from sentinel_etl.binning import BinningSpec, fit_or_load_bin_edges, with_amount_bin
from sentinel_etl.spec_schema import SpecError, section_schema

AMOUNT_SCHEMA = StructType([StructField("txn", StringType(), False), StructField("amount", DoubleType(), True)])


def amounts_df(spark, values):
    return spark.createDataFrame([(f"t{i:04d}", v) for i, v in enumerate(values)], AMOUNT_SCHEMA)


def many_amounts_df(spark, values):
    """Arrow-fast creation for larger samples (pandas would turn None into NaN, so only non-missing values)."""
    frame = pd.DataFrame({"txn": [f"t{i:06d}" for i in range(len(values))], "amount": values})
    return spark.createDataFrame(frame, AMOUNT_SCHEMA)


def bins_of(df):
    rows = df.orderBy("txn").select("amount_bin", "amount_bin_label").collect()
    return [(r["amount_bin"], r["amount_bin_label"]) for r in rows]


def lognormal_amounts(n, seed):
    return [float(v) for v in np.round(np.random.default_rng(seed).lognormal(3.0, 1.2, n), 2)]


# --- config -------------------------------------------------------------------------------------------


def test_defaults_come_from_the_schema():
    spec = BinningSpec.from_dict({})
    Draft202012Validator.check_schema(section_schema("binning"))
    props = section_schema("binning")["properties"]
    assert (spec.column, spec.method, spec.bins, spec.relative_error) == (
        props["column"]["default"],
        props["method"]["default"],
        props["bins"]["default"],
        props["relative_error"]["default"],
    )
    assert (spec.column, spec.method, spec.bins) == ("amount", "quantile", 10)


@pytest.mark.parametrize(
    "section, field",
    [
        ({"bins": 1}, "binning.bins"),
        ({"method": "kmeans"}, "binning.method"),
        ({"relative_error": -0.1}, "binning.relative_error"),
        ({"colour": "red"}, "'colour' was unexpected"),
        ({"method": "custom"}, "'edges' is a required property"),
        ({"method": "percentile"}, "'percentiles' is a required property"),
        ({"method": "custom", "edges": [5, 10]}, "binning.edges: must start at 0"),
        ({"method": "custom", "edges": [0, 10, 10]}, "binning.edges: must be strictly increasing"),
        ({"method": "percentile", "percentiles": [90, 50]}, "binning.percentiles: must be strictly increasing"),
        ({"method": "percentile", "percentiles": [100]}, "binning.percentiles.0"),
        ({"edges": [0, 10]}, "binning.edges: only used with method 'custom'"),
        ({"percentiles": [50]}, "binning.percentiles: only used with method 'percentile'"),
        ({"method": "custom", "edges": [0, 10, 20], "labels": ["a"]}, "binning.labels: 1 labels given for 2 bins"),
    ],
)
def test_bad_config_names_the_field(section, field):
    with pytest.raises(SpecError, match="invalid binning config") as err:
        BinningSpec.from_dict(section)
    assert field in str(err.value)


# --- fitting ------------------------------------------------------------------------------------------


def test_quantile_edges_with_zero_error_are_the_exact_quantiles(spark, tmp_path):
    values = lognormal_amounts(4000, seed=1)
    spec = BinningSpec.from_dict({"method": "quantile", "bins": 8, "relative_error": 0.0})
    edges = fit_or_load_bin_edges(many_amounts_df(spark, values), spec, str(tmp_path), refit=False)
    exact = np.quantile(values, [i / 8 for i in range(1, 8)], method="inverted_cdf")
    assert list(edges.edges) == [0.0, *exact, max(values)]
    assert edges.fitted_rows == 4000


def test_approximate_quantile_edges_stay_within_the_configured_relative_error(spark, tmp_path):
    values = lognormal_amounts(4000, seed=2)
    err = 0.02
    spec = BinningSpec.from_dict({"bins": 10, "relative_error": err})
    edges = fit_or_load_bin_edges(many_amounts_df(spark, values), spec, str(tmp_path), refit=False)
    ordered = np.sort(values)
    n = len(ordered)
    assert len(edges.edges) == 11
    for p, cut in zip(spec.probabilities(), edges.edges[1:-1], strict=False):
        # Greenwald-Khanna guarantee: some rank the value holds lies within [(p - err) n, (p + err) n].
        first_rank = np.searchsorted(ordered, cut, side="left") + 1
        last_rank = np.searchsorted(ordered, cut, side="right")
        assert first_rank <= math.ceil((p + err) * n) and last_rank >= math.floor((p - err) * n), (p, cut)


def test_percentile_method_cuts_at_the_listed_percentiles(spark, tmp_path):
    values = lognormal_amounts(2000, seed=3)
    spec = BinningSpec.from_dict({"method": "percentile", "percentiles": [50, 90, 99], "relative_error": 0})
    edges = fit_or_load_bin_edges(many_amounts_df(spark, values), spec, str(tmp_path), refit=False)
    exact = np.quantile(values, [0.5, 0.9, 0.99], method="inverted_cdf")
    assert list(edges.edges) == [0.0, *exact, max(values)]
    assert edges.labels[0] == f"[0, {exact[0]:.12g})"
    assert edges.labels[-1] == f"[{exact[2]:.12g}, {max(values):.12g}]"


def test_fit_ignores_missing_and_negative_amounts(spark, tmp_path):
    values = [None, float("nan"), -50.0, -1.0, 1.0, 2.0, 3.0, 4.0]
    spec = BinningSpec.from_dict({"bins": 2, "relative_error": 0})
    edges = fit_or_load_bin_edges(amounts_df(spark, values), spec, str(tmp_path), refit=False)
    assert edges.edges == (0.0, 2.0, 4.0)
    assert edges.fitted_rows == 4


def test_tied_values_merge_bins_instead_of_making_empty_ones(spark, tmp_path):
    values = [0.0] * 60 + [5.0] * 30 + [7.0, 9.0, 11.0, 13.0] * 3
    spec = BinningSpec.from_dict({"bins": 10, "relative_error": 0})
    edges = fit_or_load_bin_edges(amounts_df(spark, values), spec, str(tmp_path), refit=False)
    assert all(b > a for a, b in zip(edges.edges, edges.edges[1:], strict=False))
    assert edges.edges[0] == 0.0 and edges.edges[-1] == 13.0
    assert len(edges.labels) == len(edges.edges) - 1


def test_labels_that_no_longer_fit_merged_bins_fail_clearly(spark, tmp_path):
    values = [0.0] * 90 + [1.0, 2.0, 3.0] * 4
    spec = BinningSpec.from_dict({"bins": 4, "relative_error": 0, "labels": ["a", "b", "c", "d"]})
    problem = r"binning.labels: 4 labels given, but the fitted edges \[0.0, 3.0\] have 1 bins"
    with pytest.raises(SpecError, match=problem):
        fit_or_load_bin_edges(amounts_df(spark, values), spec, str(tmp_path), refit=False)


def test_all_zero_amounts_give_one_closed_bin(spark, tmp_path):
    spec = BinningSpec.from_dict({"bins": 4})
    edges = fit_or_load_bin_edges(amounts_df(spark, [0.0, 0.0, 0.0]), spec, str(tmp_path), refit=False)
    assert edges.edges == (0.0, 0.0)
    binned = with_amount_bin(amounts_df(spark, [0.0, 0.5, -1.0]), edges)
    assert bins_of(binned) == [(0, "[0, 0]"), (1, "overflow"), (-2, "negative")]


def test_fit_without_usable_amounts_fails_naming_the_column(spark, tmp_path):
    spec = BinningSpec.from_dict({})
    with pytest.raises(ValueError, match="column 'amount' has no non-negative values"):
        fit_or_load_bin_edges(amounts_df(spark, [None, -3.0]), spec, str(tmp_path), refit=False)
    with pytest.raises(ValueError, match="column 'amount' is not in the data"):
        fit_or_load_bin_edges(amounts_df(spark, [1.0]).drop("amount"), spec, str(tmp_path), refit=False)


# --- applying -----------------------------------------------------------------------------------------


def test_custom_edges_put_every_value_in_an_explicit_bin(spark, tmp_path):
    spec = BinningSpec.from_dict({"method": "custom", "edges": [0, 10, 100, 1000], "labels": ["small", "medium", "large"]})
    edges = fit_or_load_bin_edges(None, spec, str(tmp_path), refit=False)
    values = [None, float("nan"), -0.01, 0.0, 9.99, 10.0, 99.99, 100.0, 1000.0, 1000.01, 1e12]
    binned = with_amount_bin(amounts_df(spark, values), edges)
    assert bins_of(binned) == [
        (-1, "missing"),
        (-1, "missing"),
        (-2, "negative"),
        (0, "small"),
        (0, "small"),
        (1, "medium"),
        (1, "medium"),
        (2, "large"),
        (2, "large"),  # the top edge belongs to the last regular bin
        (3, "overflow"),
        (3, "overflow"),
    ]
    assert binned.schema["amount_bin"].dataType.simpleString() == "int"
    assert binned.count() == len(values)


def test_decimal_amounts_are_binned_like_doubles(spark, tmp_path):
    schema = StructType([StructField("txn", StringType()), StructField("amount", DecimalType(12, 2))])
    df = spark.createDataFrame([("a", Decimal("9.99")), ("b", Decimal("10.00")), ("c", None)], schema)
    spec = BinningSpec.from_dict({"method": "custom", "edges": [0, 10, 20]})
    edges = fit_or_load_bin_edges(df, spec, str(tmp_path), refit=False)
    assert bins_of(with_amount_bin(df, edges)) == [(0, "[0, 10)"), (1, "[10, 20]"), (-1, "missing")]


# --- versioned state ----------------------------------------------------------------------------------


def test_fitted_edges_are_saved_versioned_and_reused_until_refit(spark, tmp_path):
    state = str(tmp_path)
    spec = BinningSpec.from_dict({"bins": 4, "relative_error": 0})
    first = fit_or_load_bin_edges(amounts_df(spark, [1.0, 2.0, 3.0, 4.0, 5.0]), spec, state, refit=False)
    stored = tmp_path / "bin-edges" / (first.version.removeprefix("sha256:") + ".json")
    assert first.version.startswith("sha256:") and stored.exists()
    assert fitted_state.content_version(stored.read_bytes()) == first.version

    next_month = amounts_df(spark, [100.0, 200.0, 300.0, 400.0, 500.0])
    reused = fit_or_load_bin_edges(next_month, spec, state, refit=False)
    assert reused == first
    refitted = fit_or_load_bin_edges(next_month, spec, state, refit=True)
    assert refitted.version != first.version and refitted.edges[-1] == 500.0
    assert fit_or_load_bin_edges(amounts_df(spark, [1.0]), spec, state, refit=False) == refitted


def test_same_fit_gives_the_same_version(spark, tmp_path):
    spec = BinningSpec.from_dict({"bins": 3, "relative_error": 0})
    df = amounts_df(spark, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    a = fit_or_load_bin_edges(df, spec, str(tmp_path / "a"), refit=True)
    b = fit_or_load_bin_edges(df, spec, str(tmp_path / "b"), refit=True)
    assert a.version == b.version


def test_reuse_with_changed_settings_fails_instead_of_silently_using_old_edges(spark, tmp_path):
    df = amounts_df(spark, [1.0, 2.0, 3.0, 4.0])
    fit_or_load_bin_edges(df, BinningSpec.from_dict({"bins": 4}), str(tmp_path), refit=False)
    with pytest.raises(fitted_state.FittedStateError, match=r"cut_probabilities: stored .* run with refit"):
        fit_or_load_bin_edges(df, BinningSpec.from_dict({"bins": 5}), str(tmp_path), refit=False)


def test_altered_stored_edges_are_detected(spark, tmp_path):
    edges = fit_or_load_bin_edges(amounts_df(spark, [1.0, 2.0, 3.0]), BinningSpec.from_dict({"bins": 2}), str(tmp_path), refit=False)
    stored = tmp_path / "bin-edges" / (edges.version.removeprefix("sha256:") + ".json")
    stored.write_text(stored.read_text().replace("3.0", "30.0"))
    with pytest.raises(fitted_state.FittedStateError, match="altered or corrupted"):
        fit_or_load_bin_edges(None, BinningSpec.from_dict({"bins": 2}), str(tmp_path), refit=False)


def test_a_pointer_to_missing_edges_is_an_error_not_a_silent_refit(spark, tmp_path):
    spec = BinningSpec.from_dict({"bins": 2})
    edges = fit_or_load_bin_edges(amounts_df(spark, [1.0, 2.0, 3.0]), spec, str(tmp_path), refit=False)
    (tmp_path / "bin-edges" / (edges.version.removeprefix("sha256:") + ".json")).unlink()
    with pytest.raises(fitted_state.FittedStateError, match="which does not exist"):
        fit_or_load_bin_edges(None, spec, str(tmp_path), refit=False)


def test_metrics_are_json_and_name_every_bin(spark, tmp_path):
    spec = BinningSpec.from_dict({"method": "custom", "edges": [0, 50, 500]})
    metrics = fit_or_load_bin_edges(None, spec, str(tmp_path), refit=False).to_metrics()
    assert json.loads(json.dumps(metrics)) == metrics
    assert metrics["edges"] == [0.0, 50.0, 500.0]
    assert metrics["labels"] == {"-2": "negative", "-1": "missing", "0": "[0, 50)", "1": "[50, 500]", "2": "overflow"}


# --- per-group (per-currency) edges ---------------------------------------------------------------------

CURRENCY_SCHEMA = StructType(
    [StructField("txn", StringType(), False), StructField("amount", DoubleType(), True), StructField("currency", StringType(), True)]
)


def currency_df(spark, rows):
    return spark.createDataFrame([(f"t{i:04d}", a, c) for i, (a, c) in enumerate(rows)], CURRENCY_SCHEMA)


def test_group_by_is_only_for_fitted_methods():
    with pytest.raises(SpecError, match=r"binning\.group_by: only used with the fitted methods"):
        BinningSpec.from_dict({"method": "custom", "edges": [0, 10], "group_by": "currency"})


def test_edges_are_fitted_within_each_currency(spark, tmp_path):
    # The same spend band in two currencies whose amounts differ by a factor of 100.
    eur = [1.0, 2.0, 3.0, 4.0]
    jpy = [100.0, 200.0, 300.0, 400.0]
    df = currency_df(spark, [(a, "EUR") for a in eur] + [(a, "JPY") for a in jpy] + [(None, "EUR"), (5.0, None)])
    spec = BinningSpec.from_dict({"bins": 2, "relative_error": 0, "group_by": "currency"})
    edges = fit_or_load_bin_edges(df, spec, str(tmp_path), refit=False)
    assert edges.groups["EUR"].edges == (0.0, 2.0, 4.0)
    assert edges.groups["JPY"].edges == (0.0, 200.0, 400.0)
    assert (edges.groups["EUR"].fitted_rows, edges.groups["JPY"].fitted_rows, edges.fitted_rows) == (4, 4, 8)
    assert set(edges.groups) == {"EUR", "JPY"}  # a row without a currency is not fitted

    probe = currency_df(
        spark,
        [(1.5, "EUR"), (150.0, "JPY"), (3.0, "EUR"), (300.0, "JPY"), (4.5, "EUR"), (None, "JPY"), (-1.0, "EUR"), (7.0, "USD"), (7.0, None)],
    )
    assert bins_of(with_amount_bin(probe, edges)) == [
        (0, "EUR [0, 2)"),
        (0, "JPY [0, 200)"),  # same band within its currency as 1.5 EUR: the same bin number
        (1, "EUR [2, 4]"),
        (1, "JPY [200, 400]"),
        (2, "EUR overflow"),
        (-1, "missing"),
        (-2, "negative"),
        (-3, "unfitted currency"),  # no edges for a currency absent from the fit data
        (-3, "unfitted currency"),
    ]


def test_per_currency_edges_are_versioned_each_and_reused_until_refit(spark, tmp_path):
    state = str(tmp_path)
    spec = BinningSpec.from_dict({"bins": 2, "relative_error": 0, "group_by": "currency"})
    first = fit_or_load_bin_edges(currency_df(spark, [(1.0, "EUR"), (2.0, "EUR"), (10.0, "GBP"), (30.0, "GBP")]), spec, state, refit=False)
    assert first.version.startswith("sha256:")
    assert first.groups["EUR"].version.startswith("sha256:") and first.groups["EUR"].version != first.groups["GBP"].version

    later = currency_df(spark, [(500.0, "EUR"), (900.0, "USD")])
    assert fit_or_load_bin_edges(later, spec, state, refit=False) == first
    refitted = fit_or_load_bin_edges(later, spec, state, refit=True)
    assert set(refitted.groups) == {"EUR", "USD"} and refitted.version != first.version

    # Edges fitted without group_by are not silently reused for a per-currency config (or the reverse).
    with pytest.raises(fitted_state.FittedStateError, match="group_by: stored 'currency', config None"):
        fit_or_load_bin_edges(later, BinningSpec.from_dict({"bins": 2, "relative_error": 0}), state, refit=False)


def test_a_group_fit_is_the_same_as_fitting_that_group_alone(spark, tmp_path):
    eur = lognormal_amounts(3000, seed=5)
    usd = [v * 1.1 for v in lognormal_amounts(2000, seed=6)]
    spec = BinningSpec.from_dict({"bins": 10, "relative_error": 0, "group_by": "currency"})
    grouped = fit_or_load_bin_edges(
        currency_df(spark, [(a, "EUR") for a in eur] + [(a, "USD") for a in usd]), spec, str(tmp_path / "g"), refit=False
    )
    alone = fit_or_load_bin_edges(
        many_amounts_df(spark, usd), BinningSpec.from_dict({"bins": 10, "relative_error": 0}), str(tmp_path / "a"), refit=False
    )
    assert grouped.groups["USD"].edges == alone.edges
    assert grouped.groups["USD"].labels == alone.labels


def test_grouped_metrics_list_every_currency_with_its_edges_and_labels(spark, tmp_path):
    spec = BinningSpec.from_dict({"bins": 2, "relative_error": 0, "group_by": "currency"})
    edges = fit_or_load_bin_edges(currency_df(spark, [(1.0, "EUR"), (2.0, "EUR"), (3.0, "EUR")]), spec, str(tmp_path), refit=False)
    metrics = edges.to_metrics()
    assert json.loads(json.dumps(metrics)) == metrics
    assert metrics["group_by"] == "currency" and metrics["edges"] == []
    assert metrics["labels"] == {"-1": "missing", "-2": "negative", "-3": "unfitted currency"}
    assert metrics["groups"]["EUR"] == {
        "version": edges.groups["EUR"].version,
        "edges": [0.0, 2.0, 3.0],
        "labels": {"0": "EUR [0, 2)", "1": "EUR [2, 3]", "2": "EUR overflow"},
        "fitted_rows": 3,
    }
