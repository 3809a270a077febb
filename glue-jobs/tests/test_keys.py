"""The tokenization key: KMS-wrapped (moto), development key file, and never revealed."""

from __future__ import annotations

import base64
import json
import pickle
import stat

import pytest

from sentinel_etl.keys import KeyMaterialError, Keyring, WrappingKey, dev_keyring, load_keyring

PROFILE = "card-transactions"
CONTEXT = {"profile": PROFILE, "key_version": "2025-11"}


def wrapped_key_file(kms, tmp_path, context=CONTEXT):
    arn = kms.create_key(Description="sentinel tokenization")["KeyMetadata"]["Arn"]
    request = {"KeyId": arn, "KeySpec": "AES_256", "EncryptionContext": CONTEXT}
    blob = kms.generate_data_key_without_plaintext(**request)["CiphertextBlob"]
    document = {"key_version": "2025-11", "kms_key_arn": arn, "ciphertext_blob": base64.b64encode(blob).decode()}
    if context:
        document["encryption_context"] = context
    path = tmp_path / "tokenization-key.json"
    path.write_text(json.dumps(document))
    return path, arn


def test_kms_wrapped_key_is_unwrapped_in_memory(kms, tmp_path):
    path, arn = wrapped_key_file(kms, tmp_path)
    wrapping = WrappingKey(arn, PROFILE)
    keyring = load_keyring(str(path), allow_dev_key=False, kms_client=kms, wrapping=wrapping)
    assert keyring.key_version == "2025-11"
    assert len(keyring.subkey("deterministic/hmac-sha256")) == 32
    assert load_keyring(str(path), allow_dev_key=False, kms_client=kms, wrapping=wrapping).subkey("x") == keyring.subkey("x")


def test_the_file_does_not_choose_the_context(kms, tmp_path):
    """Without a context in the file the run's {profile, key_version} is still sent (the key was wrapped with it)."""
    path, arn = wrapped_key_file(kms, tmp_path, context=None)
    assert load_keyring(str(path), allow_dev_key=False, kms_client=kms, wrapping=WrappingKey(arn, PROFILE)).key_version == "2025-11"
    with pytest.raises(KeyMaterialError, match="KMS could not unwrap"):
        load_keyring(str(path), allow_dev_key=False, kms_client=kms, wrapping=WrappingKey(arn, "another-profile"))


def test_a_key_file_naming_another_kms_key_is_refused_before_any_kms_call(kms, tmp_path):
    path, arn = wrapped_key_file(kms, tmp_path)
    attacker = kms.create_key(Description="attacker")["KeyMetadata"]["Arn"]
    blob = kms.generate_data_key_without_plaintext(KeyId=attacker, KeySpec="AES_256", EncryptionContext=CONTEXT)["CiphertextBlob"]
    path.write_text(
        json.dumps(
            {
                "key_version": "2025-11",
                "kms_key_arn": attacker,
                "ciphertext_blob": base64.b64encode(blob).decode(),
                "encryption_context": CONTEXT,
            }
        )
    )

    class NoKms:
        def decrypt(self, **_):
            raise AssertionError("KMS must not be called for a refused key file")

    with pytest.raises(KeyMaterialError, match=f"names KMS key {attacker}.*only with {arn}"):
        load_keyring(str(path), allow_dev_key=False, kms_client=NoKms(), wrapping=WrappingKey(arn, PROFILE))
    # Without naming a key, the attacker's ciphertext is tried with the run's key, and KMS refuses it.
    document = json.loads(path.read_text())
    del document["kms_key_arn"]
    path.write_text(json.dumps(document))
    with pytest.raises(KeyMaterialError, match="KMS could not unwrap"):
        load_keyring(str(path), allow_dev_key=False, kms_client=kms, wrapping=WrappingKey(arn, PROFILE))


def test_a_key_file_declaring_another_context_is_refused(kms, tmp_path):
    path, arn = wrapped_key_file(kms, tmp_path)
    document = json.loads(path.read_text())
    document["encryption_context"] = {"profile": "another-profile", "key_version": "2025-11"}
    path.write_text(json.dumps(document))
    with pytest.raises(KeyMaterialError, match="declares encryption context"):
        load_keyring(str(path), allow_dev_key=False, kms_client=kms, wrapping=WrappingKey(arn, PROFILE))


def test_a_wrapped_file_needs_the_runs_key_arn(kms, tmp_path):
    path, _ = wrapped_key_file(kms, tmp_path)
    with pytest.raises(KeyMaterialError, match="--tokenization_key_arn"):
        load_keyring(str(path), allow_dev_key=False, kms_client=kms)


def test_unwrap_failure_names_the_kms_key_but_no_key_bytes(kms, tmp_path):
    path, arn = wrapped_key_file(kms, tmp_path)
    document = json.loads(path.read_text())
    document["ciphertext_blob"] = base64.b64encode(b"\x00" * 64).decode()
    path.write_text(json.dumps(document))
    with pytest.raises(KeyMaterialError, match="KMS could not unwrap") as failure:
        load_keyring(str(path), allow_dev_key=False, kms_client=kms, wrapping=WrappingKey(arn, PROFILE))
    assert arn in str(failure.value)


def test_dev_key_is_created_once_private_and_reused(tmp_path):
    path = tmp_path / ".sentinel" / "dev-key.json"
    first = dev_keyring(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.key_version.startswith("dev-")
    second = dev_keyring(path)
    assert second.key_version == first.key_version and second.subkey("a") == first.subkey("a")


def test_dev_keys_are_refused_where_a_kms_key_is_required(tmp_path):
    path = tmp_path / "dev-key.json"
    dev_keyring(path)
    with pytest.raises(KeyMaterialError, match="development key file"):
        load_keyring(str(path), allow_dev_key=False)


@pytest.mark.parametrize(
    "content,message",
    [
        ("not json", "not valid UTF-8 JSON"),
        ('{"key_version": "v1"}', "neither"),
        ('{"key_version": "v1", "dev_key": "%%%"}', "not valid base64"),
        ('{"key_version": "bad version!", "dev_key": "' + base64.b64encode(b"k" * 32).decode() + '"}', "key_version"),
        ('{"key_version": "v1", "dev_key": "' + base64.b64encode(b"short").decode() + '"}', "32 bytes"),
    ],
)
def test_malformed_key_files_fail_clearly(tmp_path, content, message):
    path = tmp_path / "key.json"
    path.write_text(content)
    with pytest.raises(KeyMaterialError, match=message):
        load_keyring(str(path), allow_dev_key=True)


def test_missing_key_file_is_named(tmp_path):
    with pytest.raises(KeyMaterialError, match=r"key file not found: .*absent\.json"):
        load_keyring(str(tmp_path / "absent.json"), allow_dev_key=True)


def test_keyring_never_shows_or_serialises_its_key():
    key = bytes(range(32))
    keyring = Keyring("v1", key)
    assert key.hex() not in repr(keyring) and key.hex() not in str(keyring)
    with pytest.raises(TypeError):
        pickle.dumps(keyring)


def test_subkeys_differ_per_purpose_and_follow_hkdf_expand():
    import hashlib
    import hmac

    keyring = Keyring("v1", b"\x01" * 32)
    expected = hmac.new(b"\x01" * 32, b"sentinel/encrypt/aes-256-gcm\x01", hashlib.sha256).digest()
    assert keyring.subkey("encrypt/aes-256-gcm") == expected
    assert keyring.subkey("encrypt/aes-256-gcm") != keyring.subkey("deterministic/hmac-sha256")
