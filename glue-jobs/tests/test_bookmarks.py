"""The input manifest bookmark: Glue's three options, replaced files, and state only after success."""

from __future__ import annotations

import pytest

from sentinel_etl.bookmarks import DISABLE, ENABLE, PAUSE, InputBookmark
from sentinel_etl.storage import StoredObject

A = StoredObject("s3://raw/a.csv", 10, "etag-a")
B = StoredObject("s3://raw/b.csv", 20, "etag-b")


def test_enable_skips_recorded_files_and_records_new_ones(tmp_path):
    bookmark = InputBookmark(str(tmp_path), "job", ENABLE)
    assert bookmark.pending([A]) == [A]
    bookmark.record([A], "run-1")
    assert bookmark.pending([A, B]) == [B]
    bookmark.record([B], "run-2")
    assert bookmark.pending([A, B]) == []


def test_a_replaced_file_is_pending_again(tmp_path):
    bookmark = InputBookmark(str(tmp_path), "job", ENABLE)
    bookmark.record([A], "run-1")
    replaced = StoredObject(A.uri, 11, "etag-a2")
    assert bookmark.pending([replaced]) == [replaced]


def test_pause_skips_but_does_not_record_and_disable_processes_everything(tmp_path):
    InputBookmark(str(tmp_path), "job", ENABLE).record([A], "run-1")
    paused = InputBookmark(str(tmp_path), "job", PAUSE)
    assert paused.pending([A, B]) == [B]
    paused.record([B], "run-2")
    assert paused.pending([A, B]) == [B]
    disabled = InputBookmark(str(tmp_path), "job", DISABLE)
    assert disabled.pending([A, B]) == [A, B]
    disabled.record([B], "run-3")
    assert InputBookmark(str(tmp_path), "job", ENABLE).pending([A, B]) == [B]


def test_bookmarks_are_per_job_and_options_are_checked(tmp_path):
    InputBookmark(str(tmp_path), "card", ENABLE).record([A], "run-1")
    assert InputBookmark(str(tmp_path), "baf", ENABLE).pending([A]) == [A]
    with pytest.raises(ValueError, match="job-bookmark-option"):
        InputBookmark(str(tmp_path), "job", "job-bookmark-sometimes")
