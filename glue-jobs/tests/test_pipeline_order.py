"""The analytics stages see the PII columns before they are tokenized (pipeline.process)."""

from __future__ import annotations

import dataclasses

from sentinel_etl import storage
from sentinel_etl.config import TokenSpec, load_config, profile_path
from sentinel_etl.ingest import read_header
from sentinel_etl.job import resolve_local
from sentinel_etl.keys import dev_keyring
from sentinel_etl.pipeline import AnalyticsSpecs, check_input, process

HEADER = "transaction_id,event_timestamp,customer_id,account_number,email,first_name,last_name,device_id,amount,currency,merchant_id,mcc,merchant_country,channel,is_fraud"


def test_velocity_features_group_a_randomly_encrypted_customer_column_by_its_value(spark, tmp_path):
    # An `encrypt` token has a fresh IV per row; features computed on tokens would see three customers.
    lines = [
        f"tx-order-{i},2025-01-05T10:{i * 5:02d}:00Z,cust-same,4000123412341234,a@example.com,A,B,,{10 + i}.00,EUR,m-1,5411,DE,ecommerce,0"
        for i in range(3)
    ]
    (tmp_path / "in.csv").write_text(HEADER + "\n" + "\n".join(lines) + "\n")
    base = load_config(profile_path("card-transactions"))
    config = dataclasses.replace(base, tokenization=(TokenSpec(column="customer_id", method="encrypt"),))
    files = [read_header(obj, config) for obj in storage.list_objects(str(tmp_path / "in.csv"))]
    checked = check_input(spark, files, config)
    specs = AnalyticsSpecs.from_config(config, resolve_local(config.merchant["mapping_uri"]))
    keyring = dev_keyring(tmp_path / "key.json")
    processed, _ = process(checked, specs, str(tmp_path / "state"), False, keyring, "run-1", "2025-02-01", 3)
    rows = sorted(processed.collect(), key=lambda r: r["transaction_id"])
    checked.release()

    assert [r["txn_count_1h"] for r in rows] == [1, 2, 3]
    assert [r["seconds_since_prev_txn"] for r in rows] == [None, 300.0, 300.0]
    tokens = {r["customer_id"] for r in rows}
    assert len(tokens) == 3 and "cust-same" not in tokens  # still tokenized, one random token per row
