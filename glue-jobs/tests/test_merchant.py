import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from pyspark.sql.types import IntegerType, StringType, StructField, StructType

from sentinel_etl import fitted_state
from sentinel_etl.merchant import (
    MappingError,
    MerchantSpec,
    fit_or_load_category_codes,
    load_mapping,
    resolve_codes,
    with_merchant_category,
)
from sentinel_etl.spec_schema import SpecError, section_schema

REFERENCE_MAPPING = str(Path(__file__).resolve().parents[1] / "reference" / "mcc-mapping.csv")
HEADER = "mcc_from,mcc_to,category,parent,risk_level,description"
TXN_SCHEMA = StructType([StructField("transaction_id", StringType(), False), StructField("mcc", StringType(), True)])


def write_mapping(tmp_path, *rows, version="1.0.0", name="mapping.csv"):
    path = tmp_path / name
    path.write_text("\n".join([f"# version: {version}", HEADER, *rows]) + "\n", encoding="utf-8")
    return str(path)


def spec(uri, **extra):
    return MerchantSpec.from_dict({"mapping_uri": uri, **extra})


def encoded(spark, mapping, codes, merchant_spec, mccs):
    df = spark.createDataFrame([(f"t{i:03d}", m) for i, m in enumerate(mccs)], TXN_SCHEMA)
    out = with_merchant_category(df, mapping, codes, merchant_spec)
    assert out.count() == len(mccs)
    return [
        (r["merchant_category"], r["merchant_category_parent"], r["merchant_risk_level"], r["merchant_category_code"])
        for r in out.orderBy("transaction_id").collect()
    ]


# --- config -------------------------------------------------------------------------------------------


def test_spec_defaults_and_field_errors():
    Draft202012Validator.check_schema(section_schema("merchant"))
    s = spec("m.csv")
    assert (s.column, s.fallback.category, s.fallback.parent, s.fallback.risk_level) == (
        "mcc",
        "unknown",
        "unknown",
        "unknown",
    )
    with pytest.raises(SpecError, match="'mapping_uri' is a required property"):
        MerchantSpec.from_dict({})
    with pytest.raises(SpecError, match=r"merchant\.fallback\.risk_level: 'severe' is not one of"):
        MerchantSpec.from_dict({"mapping_uri": "m.csv", "fallback": {"risk_level": "severe"}})


# --- the reference mapping ----------------------------------------------------------------------------


def test_reference_mapping_covers_the_iso_18245_groups_and_notable_codes(spark):
    mapping = load_mapping(spark, REFERENCE_MAPPING)
    by_code = resolve_codes(mapping.ranges)
    expected = {
        3000: ("airlines", "airlines", "low"),
        3299: ("airlines", "airlines", "low"),
        3351: ("car_rental", "car_rental", "low"),
        3441: ("car_rental", "car_rental", "low"),
        3501: ("lodging", "lodging", "low"),
        3999: ("lodging", "lodging", "low"),
        4011: ("transportation", "transportation_services", "low"),
        4900: ("utilities", "utility_services", "low"),
        4829: ("money_transfer", "utility_services", "high"),
        5411: ("grocery_stores", "retail_outlet_services", "low"),
        5651: ("clothing", "clothing_stores", "low"),
        5967: ("high_risk_direct_marketing", "miscellaneous_stores", "high"),
        6010: ("cash_disbursement", "miscellaneous_stores", "high"),
        6011: ("cash_disbursement", "miscellaneous_stores", "high"),
        6051: ("quasi_cash", "miscellaneous_stores", "high"),
        7995: ("gambling", "business_services", "high"),
        7996: ("recreation", "business_services", "low"),
        8011: ("health_services", "professional_services", "low"),
        8931: ("professional_services", "professional_services", "low"),
        9311: ("government_services", "government_services", "low"),
    }
    assert {c: (by_code[c].category, by_code[c].parent, by_code[c].risk_level) for c in expected} == expected
    assert 3300 not in by_code and 3500 not in by_code and 0 not in by_code  # unassigned: fallback
    assert mapping.version == "1.0.0" and len(mapping.sha256) == 64
    assert mapping.lookup.count() == len(by_code)


# --- mapping file checks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rows, problem",
    [
        (["10,5,a,p,low,x"], "line 3: mcc_from 10 is above mcc_to 5"),
        (["1,99999,a,p,low,x"], "line 3: mcc_to '99999' is not an MCC"),
        (["1,9,a,p,extreme,x"], "line 3: risk_level 'extreme' is not one of"),
        (["1,9,Airlines,p,low,x"], "line 3: category 'Airlines' must match"),
        (["1,9,a,p,low"], "line 3: expected 6 fields"),
        (["1,9,a,p,low,x", "5,20,b,p,low,x"], "rows 1-9 and 5-20 overlap without nesting"),
        (["1,9,a,p,low,x", "1,9,b,p,low,x"], "rows 1-9 and 1-9 overlap without nesting"),
        (["1,9,a,p,low,x", "20,29,a,q,low,x"], "category 'a' has two parents"),
        ([], "has no mapping rows"),
    ],
)
def test_inconsistent_mapping_files_are_rejected_with_file_and_line(spark, tmp_path, rows, problem):
    uri = write_mapping(tmp_path, *rows)
    with pytest.raises(MappingError, match=r"mapping\.csv") as err:
        load_mapping(spark, uri)
    assert problem in str(err.value)


def test_mapping_without_version_or_with_bad_bytes_is_rejected(spark, tmp_path):
    unversioned = tmp_path / "unversioned.csv"
    unversioned.write_text(f"{HEADER}\n1,9,a,p,low,x\n")
    with pytest.raises(MappingError, match="exactly one '# version: <version>'"):
        load_mapping(spark, str(unversioned))
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(f"# version: 1\n{HEADER}\n1,9,caf\xe9,p,low,x\n".encode("latin-1"))
    with pytest.raises(MappingError, match="not UTF-8"):
        load_mapping(spark, str(latin1))
    with pytest.raises(MappingError, match="does not exist"):
        load_mapping(spark, str(tmp_path / "missing.csv"))


# --- encoding -----------------------------------------------------------------------------------------


def test_narrowest_row_wins_and_unknown_codes_get_the_fallback(spark, tmp_path):
    uri = write_mapping(
        tmp_path,
        "4800,4999,utilities,utility_services,low,Utility services",
        "4829,4829,money_transfer,utility_services,high,Money transfer",
        "742,742,veterinary,agricultural_services,low,Veterinary",
    )
    s = spec(uri, fallback={"category": "unmapped", "parent": "unmapped", "risk_level": "high"})
    mapping = load_mapping(spark, uri)
    codes = fit_or_load_category_codes(mapping, s, str(tmp_path / "state"), refit=False)
    assert codes.codes == {"money_transfer": 0, "unmapped": 1, "utilities": 2, "veterinary": 3}
    mccs = ["4829", "4900", " 4999 ", "0742", "742", "5000", None, "48X9", "-4829", "48290", ""]
    fallback = ("unmapped", "unmapped", "high", 1)
    assert encoded(spark, mapping, codes, s, mccs) == [
        ("money_transfer", "utility_services", "high", 0),
        ("utilities", "utility_services", "low", 2),
        ("utilities", "utility_services", "low", 2),
        ("veterinary", "agricultural_services", "low", 3),
        ("veterinary", "agricultural_services", "low", 3),
        fallback,
        fallback,
        fallback,
        fallback,
        fallback,
        fallback,
    ]


def test_integer_mcc_columns_are_encoded_too(spark, tmp_path):
    uri = write_mapping(tmp_path, "5411,5411,grocery_stores,retail_outlet_services,low,Grocery")
    s = spec(uri, column="mcc_int")
    mapping = load_mapping(spark, uri)
    codes = fit_or_load_category_codes(mapping, s, str(tmp_path / "state"), refit=False)
    schema = StructType([StructField("id", StringType()), StructField("mcc_int", IntegerType())])
    df = spark.createDataFrame([("a", 5411), ("b", 99999), ("c", None)], schema)
    out = with_merchant_category(df, mapping, codes, s).orderBy("id").collect()
    assert [r["merchant_category"] for r in out] == ["grocery_stores", "unknown", "unknown"]
    assert out[0]["mcc_int"] == 5411  # input columns are kept


def test_join_is_a_broadcast_join(spark, tmp_path):
    mapping = load_mapping(spark, REFERENCE_MAPPING)
    s = spec(REFERENCE_MAPPING)
    codes = fit_or_load_category_codes(mapping, s, str(tmp_path), refit=False)
    df = spark.createDataFrame([("t1", "5411")], TXN_SCHEMA)
    plan = with_merchant_category(df, mapping, codes, s)._jdf.queryExecution().executedPlan().toString()
    assert "BroadcastHashJoin" in plan and "LeftOuter" in plan


# --- stable category codes ----------------------------------------------------------------------------


def test_codes_are_stable_and_new_categories_are_appended(spark, tmp_path):
    state = str(tmp_path / "state")
    v1 = write_mapping(tmp_path, "1,9,bravo,p,low,x", "10,19,delta,p,low,x", name="v1.csv")
    first = fit_or_load_category_codes(load_mapping(spark, v1), spec(v1), state, refit=False)
    assert first.codes == {"bravo": 0, "delta": 1, "unknown": 2}

    # v2 adds 'alpha' and 'charlie' (sorting before existing names) and drops 'delta'.
    v2 = write_mapping(tmp_path, "1,9,bravo,p,low,x", "20,29,charlie,p,low,x", "30,39,alpha,p,low,x", version="2.0.0", name="v2.csv")
    second = fit_or_load_category_codes(load_mapping(spark, v2), spec(v2), state, refit=False)
    assert second.codes == {"bravo": 0, "delta": 1, "unknown": 2, "alpha": 3, "charlie": 4}
    assert second.version != first.version
    pointer = json.loads((tmp_path / "state" / "category-codes" / "current.json").read_text())
    assert pointer["version"] == second.version and pointer["mapping_version"] == "2.0.0"

    again = fit_or_load_category_codes(load_mapping(spark, v2), spec(v2), state, refit=False)
    assert again == second
    renumbered = fit_or_load_category_codes(load_mapping(spark, v2), spec(v2), state, refit=True)
    assert renumbered.codes == {"alpha": 0, "bravo": 1, "charlie": 2, "unknown": 3}


def test_codes_missing_a_category_are_refused(spark, tmp_path):
    uri = write_mapping(tmp_path, "1,9,a,p,low,x")
    mapping = load_mapping(spark, uri)
    codes = fit_or_load_category_codes(mapping, spec(uri), str(tmp_path), refit=False)
    other_fallback = spec(uri, fallback={"category": "other"})
    df = spark.createDataFrame([("t1", "1")], TXN_SCHEMA)
    with pytest.raises(ValueError, match=r"lack \['other'\]"):
        with_merchant_category(df, mapping, codes, other_fallback)


def test_altered_codes_are_detected(spark, tmp_path):
    uri = write_mapping(tmp_path, "1,9,a,p,low,x")
    mapping = load_mapping(spark, uri)
    codes = fit_or_load_category_codes(mapping, spec(uri), str(tmp_path), refit=False)
    stored = tmp_path / "category-codes" / (codes.version.removeprefix("sha256:") + ".json")
    stored.write_text(stored.read_text().replace('"a":0', '"a":5'))
    with pytest.raises(fitted_state.FittedStateError, match="altered or corrupted"):
        fit_or_load_category_codes(mapping, spec(uri), str(tmp_path), refit=False)


def test_metrics_are_json(spark, tmp_path):
    mapping = load_mapping(spark, REFERENCE_MAPPING)
    codes = fit_or_load_category_codes(mapping, spec(REFERENCE_MAPPING), str(tmp_path), refit=False)
    for obj in (mapping, codes):
        metrics = obj.to_metrics()
        assert json.loads(json.dumps(metrics)) == metrics and metrics["version"] == obj.version
    assert codes.to_metrics()["codes"]["unknown"] == codes.codes["unknown"]
