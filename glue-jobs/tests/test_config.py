"""Job config: the shipped profiles validate; bad configs fail naming the field."""

from __future__ import annotations

import copy
import json

import pytest

from sentinel_etl.config import ConfigError, load_config, parse_config, profile_path


@pytest.fixture(scope="module")
def card_document():
    with open(profile_path("card-transactions"), encoding="utf-8") as handle:
        return json.load(handle)


@pytest.mark.parametrize("profile", ["card-transactions", "baf"])
def test_shipped_profiles_are_valid(profile):
    config = load_config(profile_path(profile))
    assert config.profile == profile
    assert config.column(config.record_id_column).unique


def test_baf_profile_has_the_32_published_columns_plus_a_row_key():
    from sentinel_etl.generator.baf import BAF_COLUMNS

    config = load_config(profile_path("baf"))
    assert len(BAF_COLUMNS) == 32
    assert config.column_names == ("application_id", *BAF_COLUMNS)
    assert config.tokenization == () and config.merchant is None and config.features is None


def test_card_profile_uses_every_tokenization_method_but_deterministic_encrypt():
    config = load_config(profile_path("card-transactions"))
    assert {t.method for t in config.tokenization} == {"deterministic", "format_preserving", "hash", "encrypt"}


def test_card_profile_account_tokens_fail_the_luhn_check():
    config = load_config(profile_path("card-transactions"))
    (account,) = [t for t in config.tokenization if t.column == "account_number"]
    assert account.method == "format_preserving" and account.fail_luhn and account.alphabet == "0123456789"
    assert not any(t.fail_luhn for t in config.tokenization if t.column != "account_number")


def mutated(document, change):
    clone = copy.deepcopy(document)
    change(clone)
    return clone


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda d: d.pop("columns"), r"\$: 'columns' is a required property"),
        (lambda d: d["tokenization"].append({"column": "email", "method": "rot13"}), r"\$\.tokenization\[6\]\.method"),
        (lambda d: d["binning"].update(method="median"), r"\$\.binning\.method"),
        (lambda d: d["anomaly"].update(n_estimators="many"), r"\$\.anomaly\.n_estimators"),
        (lambda d: d["merchant"].pop("mapping_uri"), r"\$\.merchant: 'mapping_uri' is a required property"),
        (lambda d: d["columns"][0].update(type="uuid"), r"\$\.columns\[0\]\.type"),
        (lambda d: d.update(surprise=True), "Additional properties are not allowed"),
        (lambda d: d["tokenization"].append({"column": "customer_id", "method": "hash", "keep_prefix": 2}), r"\$\.tokenization\[6\]"),
        (
            lambda d: d["tokenization"].append({"column": "customer_id", "method": "deterministic", "fail_luhn": True}),
            r"\$\.tokenization\[6\]",
        ),
        (
            lambda d: d["tokenization"].append(
                {"column": "merchant_id", "method": "format_preserving", "alphabet": "0123456789abcdef", "fail_luhn": True}
            ),
            r"\$\.tokenization\[6\]\.alphabet",
        ),
        (lambda d: d["tokenization"].append({"column": "merchant_id", "method": "format_preserving", "alphabet": "x" * 257}), "too long"),
    ],
)
def test_schema_errors_name_the_field(card_document, change, message):
    with pytest.raises(ConfigError, match=message):
        parse_config(mutated(card_document, change))


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda d: d.update(record_id_column="nope"), "record_id_column: 'nope' is not a declared column"),
        (lambda d: d.update(record_id_column="customer_id"), "must be declared unique"),
        (lambda d: d["tokenization"].append({"column": "amount", "method": "hash"}), "only string columns can be tokenized"),
        (lambda d: d["tokenization"].append({"column": "ssn", "method": "hash"}), r"tokenization\[6\] \(ssn\): not a declared column"),
        (lambda d: d["binning"].update(column="price"), r"\$\.binning\.column: 'price' is not a declared column"),
        (lambda d: d["columns"].append(dict(d["columns"][0])), "declared more than once"),
        (lambda d: d["columns"][2].update(pattern="(["), "not a valid regular expression"),
        (lambda d: d["columns"][8].update(min=10, max=1), "min 10 is greater than max 1"),
        (lambda d: d["features"].update(customer_column="client"), r"\$\.features\.customer_column"),
    ],
)
def test_cross_field_errors_name_the_field(card_document, change, message):
    with pytest.raises(ConfigError, match=message):
        parse_config(mutated(card_document, change))


def test_unknown_profile_lists_the_known_ones():
    with pytest.raises(ConfigError, match=r"known profiles: \['baf', 'card-transactions'\]"):
        profile_path("payroll")


def test_unreadable_config_is_reported(tmp_path):
    bad = tmp_path / "config.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid UTF-8 JSON"):
        load_config(str(bad))
    with pytest.raises(ConfigError, match="not found"):
        load_config(str(tmp_path / "absent.json"))
