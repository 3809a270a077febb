"""Converters from the real public datasets to a profile's raw CSV layout, for users who have them.

* BAF `Base.csv` (or any variant, e.g. `Variant I.csv`; Jesus et al., NeurIPS 2022) -> `baf`: the 32
  columns are kept as they are, and `application_id` is added as `<file stem>-<row number>` (the
  published files have no row key).
* Kaggle "Credit Card Transactions Fraud Detection" (`fraudTrain.csv` / `fraudTest.csv`, generated
  with Sparkov) -> `card-transactions`: `trans_num` -> transaction_id, `trans_date_trans_time` ->
  event_timestamp (the file's local times, written as UTC), `cc_num` -> account_number and (prefixed)
  customer_id, `first`/`last` -> names, `amt` -> amount (USD), `merchant` -> merchant_id, the
  Sparkov `category` -> a representative ISO 18245 MCC, `_net` categories -> ecommerce, `is_fraud`.
  The file has no e-mail or device id (left empty). Card numbers shorter than 12 digits stay as
  they are and are quarantined by the profile's pattern rule, not altered.

Both read in chunks, so files larger than memory convert too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from sentinel_etl.generator.baf import BAF_COLUMNS
from sentinel_etl.generator.card_transactions import COLUMNS as CARD_COLUMNS

CHUNK_ROWS = 200_000
SPARKOV_COLUMNS = ["trans_date_trans_time", "cc_num", "merchant", "category", "amt", "first", "last", "trans_num", "is_fraud"]
# Sparkov category -> a representative MCC of that kind of merchant.
SPARKOV_MCC = {
    "grocery_pos": "5411",
    "grocery_net": "5411",
    "gas_transport": "5541",
    "misc_pos": "5999",
    "misc_net": "5999",
    "shopping_pos": "5311",
    "shopping_net": "5311",
    "entertainment": "7832",
    "food_dining": "5812",
    "health_fitness": "7997",
    "home": "5712",
    "kids_pets": "5945",
    "personal_care": "7230",
    "travel": "4722",
}


class LoaderError(ValueError):
    """The source file is not in the expected format; the message names the file and what is missing."""


def _check_columns(source: Path, have: list[str], need: list[str], dataset: str) -> None:
    missing = [c for c in need if c not in have]
    if missing:
        raise LoaderError(f"{source} is not a {dataset} file: missing columns {', '.join(missing)}")


def _write(chunks, output: Path) -> int:
    output.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with output.open("w", encoding="utf-8", newline="") as handle:
        for i, chunk in enumerate(chunks):
            chunk.to_csv(handle, index=False, header=i == 0, lineterminator="\n")
            rows += len(chunk)
    return rows


def load_baf(source: Path, output: Path) -> int:
    """Converts a BAF CSV to the `baf` raw layout; returns the rows written."""
    header = pd.read_csv(source, nrows=0).columns.tolist()
    _check_columns(source, header, BAF_COLUMNS, "BAF")
    stem = re.sub(r"[^A-Za-z0-9]+", "-", source.stem).strip("-").lower() or "baf"

    def converted():
        offset = 0
        for chunk in pd.read_csv(source, usecols=BAF_COLUMNS, dtype=str, keep_default_na=False, chunksize=CHUNK_ROWS):
            ids = [f"{stem}-{offset + i + 1:07d}" for i in range(len(chunk))]
            offset += len(chunk)
            yield chunk.assign(application_id=ids)[["application_id", *BAF_COLUMNS]]

    return _write(converted(), output)


def load_kaggle_card_fraud(source: Path, output: Path) -> int:
    """Converts a Kaggle Sparkov card-fraud CSV to the `card-transactions` raw layout; returns the rows written."""
    header = pd.read_csv(source, nrows=0).columns.tolist()
    _check_columns(source, header, SPARKOV_COLUMNS, "Kaggle card-fraud (Sparkov)")

    def converted():
        for chunk in pd.read_csv(source, usecols=SPARKOV_COLUMNS, dtype=str, keep_default_na=False, chunksize=CHUNK_ROWS):
            timestamps = pd.to_datetime(chunk["trans_date_trans_time"], errors="coerce")
            category = chunk["category"]
            yield pd.DataFrame(
                {
                    "transaction_id": chunk["trans_num"],
                    "event_timestamp": timestamps.dt.strftime("%Y-%m-%dT%H:%M:%SZ").fillna(chunk["trans_date_trans_time"]),
                    "customer_id": "cc-" + chunk["cc_num"],
                    "account_number": chunk["cc_num"],
                    "email": "",
                    "first_name": chunk["first"],
                    "last_name": chunk["last"],
                    "device_id": "",
                    "amount": chunk["amt"],
                    "currency": "USD",
                    "merchant_id": chunk["merchant"],
                    "mcc": category.map(SPARKOV_MCC).fillna("0000"),
                    "merchant_country": "US",
                    "channel": category.str.endswith("_net").map({True: "ecommerce", False: "card_present"}),
                    "is_fraud": chunk["is_fraud"],
                }
            )[CARD_COLUMNS]

    return _write(converted(), output)


LOADERS = {"baf": load_baf, "kaggle-card-fraud": load_kaggle_card_fraud}
