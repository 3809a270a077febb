"""Fitted state authenticated with a KMS HMAC key (moto's GenerateMac/VerifyMac) and locally with a dev subkey."""

from __future__ import annotations

import json

import pytest

from sentinel_etl import fitted_state
from sentinel_etl.bookmarks import InputBookmark
from sentinel_etl.fitted_state import FittedStateError, KmsStateMac, LocalStateMac, authenticated_by
from sentinel_etl.storage import StoredObject


def hmac_key(kms) -> str:
    return kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC", Description="state")["KeyMetadata"]["Arn"]


def save_edges(state: str) -> str:
    return fitted_state.save(state, "bin-edges", b'{"edges":[0,1,2]}', ".json", {"fitted_for": {"bins": 3}})


def test_sealed_state_round_trips_through_kms(kms, tmp_path):
    mac = KmsStateMac(hmac_key(kms), kms)
    with authenticated_by(mac):
        version = save_edges(str(tmp_path))
        assert fitted_state.load_current(str(tmp_path), "bin-edges").version == version
    pointer = json.loads((tmp_path / "bin-edges" / "current.json").read_text())
    assert pointer["mac"]["key"] == mac.key_id


def test_a_pointer_and_payload_planted_together_are_refused(kms, tmp_path):
    """The attacker can write the state prefix, so they rewrite payload and pointer with a matching hash."""
    mac = KmsStateMac(hmac_key(kms), kms)
    with authenticated_by(mac):
        save_edges(str(tmp_path))
    planted = b'{"edges":[0,1000000]}'
    version = fitted_state.content_version(planted)
    (tmp_path / "bin-edges" / (version.removeprefix("sha256:") + ".json")).write_bytes(planted)
    pointer_path = tmp_path / "bin-edges" / "current.json"
    pointer = json.loads(pointer_path.read_text())
    pointer.update(version=version, object=version.removeprefix("sha256:") + ".json")
    pointer_path.write_text(json.dumps(pointer))  # the old MAC kept: it no longer verifies
    with (
        authenticated_by(mac),
        pytest.raises(FittedStateError, match=r"current\.json is not authenticated by the state MAC key .*does not verify"),
    ):
        fitted_state.load_current(str(tmp_path), "bin-edges")
    del pointer["mac"]
    pointer_path.write_text(json.dumps(pointer))
    with authenticated_by(mac), pytest.raises(FittedStateError, match="has no MAC"):
        fitted_state.load_current(str(tmp_path), "bin-edges")


def test_a_pointer_sealed_by_another_key_or_copied_elsewhere_is_refused(kms, tmp_path):
    ours, theirs = KmsStateMac(hmac_key(kms), kms), KmsStateMac(hmac_key(kms), kms)
    with authenticated_by(theirs):
        save_edges(str(tmp_path / "a"))
    with authenticated_by(ours), pytest.raises(FittedStateError, match="does not verify"):
        fitted_state.load_current(str(tmp_path / "a"), "bin-edges")
    # A genuinely sealed pointer copied to another profile's state does not verify there (the URI is signed).
    with authenticated_by(ours):
        save_edges(str(tmp_path / "b"))
    (tmp_path / "c" / "bin-edges").mkdir(parents=True)
    for f in (tmp_path / "b" / "bin-edges").iterdir():
        (tmp_path / "c" / "bin-edges" / f.name).write_bytes(f.read_bytes())
    with authenticated_by(ours), pytest.raises(FittedStateError, match="does not verify"):
        fitted_state.load_current(str(tmp_path / "c"), "bin-edges")


def test_a_forged_bookmark_is_refused(tmp_path):
    """A manifest that marks a landing file processed would make the job skip it silently."""
    mac = LocalStateMac(b"k" * 32)
    bookmark = InputBookmark(str(tmp_path), "etl")
    files = [StoredObject("s3://raw/landing/p/a.csv", 10, "e1")]
    with authenticated_by(mac):
        bookmark.record(files, "run-1")
        assert bookmark.pending(files) == []
    forged = json.loads((tmp_path / "bookmarks" / "etl.json").read_text())
    forged["files"]["s3://raw/landing/p/b.csv"] = {"bytes": 5, "fingerprint": "e2"}
    (tmp_path / "bookmarks" / "etl.json").write_text(json.dumps(forged))
    with authenticated_by(mac), pytest.raises(FittedStateError, match=r"etl\.json is not authenticated"):
        bookmark.pending(files)
