"""Converters for the real BAF and Kaggle card-fraud files (small fixtures in their published layouts)."""

from __future__ import annotations

import pandas as pd
import pytest

from sentinel_etl import cli
from sentinel_etl.generator.baf import BAF_COLUMNS
from sentinel_etl.generator.card_transactions import COLUMNS as CARD_COLUMNS
from sentinel_etl.loaders import LoaderError, load_baf, load_kaggle_card_fraud

SPARKOV_HEADER = (
    ",trans_date_trans_time,cc_num,merchant,category,amt,first,last,gender,street,city,state,zip,lat,long,"
    "city_pop,job,dob,trans_num,unix_time,merch_lat,merch_long,is_fraud"
)
SPARKOV_ROWS = [
    '0,2019-01-01 00:00:18,2703186189652095,"fraud_Rippin, Kub and Mann",misc_net,4.97,Jennifer,Banks,F,561 Perry Cove,'
    'Moravian Falls,NC,28654,36.0788,-81.1781,3495,"Psychologist, counselling",1988-03-09,0b242abb623afc578575680df30655b9,'
    "1325376018,36.011293,-82.048315,0",
    "1,2019-01-01 00:00:44,630423337322,fraud_Heller,grocery_pos,107.23,Stephanie,Gill,F,43039 Riley Greens Suite 393,"
    "Orient,WA,99160,48.8878,-118.2105,149,Special educational needs teacher,1978-06-21,1f76529f8574734946361c461b024d99,"
    "1325376044,49.159047,-118.186462,1",
]


def test_kaggle_sparkov_file_converts_to_the_card_layout(tmp_path):
    source = tmp_path / "fraudTrain.csv"
    source.write_text(SPARKOV_HEADER + "\n" + "\n".join(SPARKOV_ROWS) + "\n")
    target = tmp_path / "cards.csv"
    assert load_kaggle_card_fraud(source, target) == 2
    frame = pd.read_csv(target, dtype=str, keep_default_na=False)
    assert list(frame.columns) == CARD_COLUMNS
    first, second = frame.iloc[0], frame.iloc[1]
    assert first.transaction_id == "0b242abb623afc578575680df30655b9"
    assert first.event_timestamp == "2019-01-01T00:00:18Z"
    assert first.account_number == "2703186189652095" and first.customer_id == "cc-2703186189652095"
    assert first.merchant_id == "fraud_Rippin, Kub and Mann"
    assert (first.mcc, first.channel) == ("5999", "ecommerce")
    assert (second.mcc, second.channel, second.is_fraud) == ("5411", "card_present", "1")


def test_baf_file_gets_a_row_key_and_keeps_its_columns(tmp_path):
    source = tmp_path / "Variant I.csv"
    rows = [[str(i % 2)] + ["1"] * (len(BAF_COLUMNS) - 1) for i in range(3)]
    source.write_text(",".join(BAF_COLUMNS) + "\n" + "\n".join(",".join(r) for r in rows) + "\n")
    target = tmp_path / "baf.csv"
    assert cli.main(["load", "--dataset", "baf", "--source", str(source), "--output", str(target)]) == 0
    frame = pd.read_csv(target, dtype=str)
    assert list(frame.columns) == ["application_id", *BAF_COLUMNS]
    assert list(frame.application_id) == ["variant-i-0000001", "variant-i-0000002", "variant-i-0000003"]
    assert list(frame.fraud_bool) == ["0", "1", "0"]


@pytest.mark.parametrize("loader,name", [(load_baf, "BAF"), (load_kaggle_card_fraud, "Kaggle card-fraud")])
def test_other_files_are_rejected_naming_the_missing_columns(tmp_path, loader, name):
    source = tmp_path / "creditcard.csv"
    source.write_text("Time,V1,V2,Amount,Class\n0,1.0,2.0,3.5,0\n")
    with pytest.raises(LoaderError, match=f"creditcard.csv is not a {name}.* file: missing columns"):
        loader(source, tmp_path / "out.csv")
