"""storage.load_json: the one read of a JSON document the job cannot do without (job config, key files)."""

from __future__ import annotations

import pytest

from sentinel_etl import storage


class DocumentError(Exception):
    pass


def test_a_document_is_read_whole(tmp_path):
    path = tmp_path / "doc.json"
    path.write_text('{"a": [1, 2]}')
    assert storage.load_json(str(path), "document", DocumentError) == {"a": [1, 2]}


def test_a_missing_document_is_named_with_the_callers_error(tmp_path):
    with pytest.raises(DocumentError, match=r"^document not found: .*absent\.json$"):
        storage.load_json(str(tmp_path / "absent.json"), "document", DocumentError)


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe{}"])
def test_an_undecodable_document_is_named_with_the_decoders_detail(tmp_path, content):
    path = tmp_path / "doc.json"
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=r"^document .*doc\.json is not valid UTF-8 JSON: .+") as raised:
        storage.load_json(str(path), "document", DocumentError)
    assert isinstance(raised.value.__cause__, ValueError)


def test_the_decoders_detail_can_be_left_out(tmp_path):
    path = tmp_path / "key.json"
    path.write_bytes(b'{"dev_key": "c2VjcmV0\xff"}')
    with pytest.raises(DocumentError) as raised:
        storage.load_json(str(path), "key file", DocumentError, echo_decoder_error=False)
    assert str(raised.value) == f"key file {path} is not valid UTF-8 JSON"
