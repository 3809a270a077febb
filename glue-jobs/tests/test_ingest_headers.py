"""Header checks on the driver: the job fails at once, naming the file and the column."""

from __future__ import annotations

import pytest

from sentinel_etl import storage
from sentinel_etl.config import load_config, profile_path
from sentinel_etl.ingest import InputError, discover_inputs

HEADER = "transaction_id,event_timestamp,customer_id,account_number,email,first_name,last_name,device_id,amount,currency,merchant_id,mcc,merchant_country,channel,is_fraud"


@pytest.fixture(scope="module")
def config():
    return load_config(profile_path("card-transactions"))


def test_missing_required_column_names_file_and_column(tmp_path, config):
    path = tmp_path / "no_amount.csv"
    path.write_text(HEADER.replace(",amount", "") + "\n")
    with pytest.raises(InputError, match=r"no_amount\.csv is missing required column amount"):
        discover_inputs(str(tmp_path), config)


def test_several_missing_columns_are_all_named(tmp_path, config):
    (tmp_path / "thin.csv").write_text("transaction_id,amount\n")
    with pytest.raises(InputError, match=r"missing required columns event_timestamp, customer_id, account_number"):
        discover_inputs(str(tmp_path), config)


def test_optional_columns_may_be_absent_and_extra_ones_are_reported(tmp_path, config):
    (tmp_path / "a.csv").write_text(HEADER.replace(",device_id", "").replace(",is_fraud", "") + ",ssn,notes\n")
    (found,) = discover_inputs(str(tmp_path), config)
    assert found.extra_columns == ("ssn", "notes")
    assert "device_id" not in found.header


def test_empty_file_fails_naming_it(tmp_path, config):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.csv is empty: expected a header line"):
        discover_inputs(str(tmp_path), config)


def test_header_with_bytes_that_are_not_utf8_fails_naming_the_file(tmp_path, config):
    (tmp_path / "latin1.csv").write_bytes(HEADER.replace("amount", "montant_\xe9").encode("latin-1") + b"\n")
    with pytest.raises(InputError, match=r"latin1\.csv: header line is not valid UTF-8"):
        discover_inputs(str(tmp_path), config)


def test_repeated_header_names_fail(tmp_path, config):
    (tmp_path / "twice.csv").write_text(HEADER + ",amount\n")
    with pytest.raises(InputError, match="more than once: \\['amount'\\]"):
        discover_inputs(str(tmp_path), config)


def test_missing_input_and_unreadable_file_are_named(tmp_path, config, monkeypatch):
    with pytest.raises(InputError, match=r"no input files found at .*nowhere"):
        discover_inputs(str(tmp_path / "nowhere"), config)
    (tmp_path / "locked.csv").write_text(HEADER + "\n")

    def denied(uri, size):
        raise PermissionError(13, "Permission denied", uri)

    monkeypatch.setattr(storage, "read_head", denied)
    with pytest.raises(InputError, match=r"locked\.csv cannot be read: .*Permission denied"):
        discover_inputs(str(tmp_path), config)


def test_utf8_bom_and_crlf_headers_are_accepted(tmp_path, config):
    (tmp_path / "windows.csv").write_bytes(b"\xef\xbb\xbf" + HEADER.encode() + b"\r\n")
    (found,) = discover_inputs(str(tmp_path), config)
    assert found.header[0] == "transaction_id" and found.header[-1] == "is_fraud"


def test_hidden_and_underscore_files_are_not_input(tmp_path, config):
    (tmp_path / "_SUCCESS").write_text("")
    (tmp_path / ".part.crc").write_text("")
    (tmp_path / "data.csv").write_text(HEADER + "\n")
    assert [f.uri.rsplit("/", 1)[1] for f in discover_inputs(str(tmp_path), config)] == ["data.csv"]
