"""Incremental processing: which input files earlier successful runs already processed.

The job keeps one manifest per job under `<state_location>/bookmarks/<job_name>.json` recording each
processed file's URI, size and fingerprint (S3 ETag or local mtime). A file is pending when it is not
in the manifest or its size or fingerprint changed (it was replaced). The manifest is written only
after the run's output is published, so a failed run leaves it untouched and the next run retries.

The same manifest works on Glue and locally. `--job-bookmark-option` keeps Glue's meaning:
`job-bookmark-enable` skips recorded files and records new ones; `job-bookmark-pause` skips recorded
files without recording; `job-bookmark-disable` processes everything and records nothing.

The manifest is fitted state like the others: sealed with the run's state MAC (`fitted_state`), so a
manifest written by anyone but the job (to skip files, or to have them processed twice) is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from sentinel_etl import fitted_state, storage
from sentinel_etl.storage import StoredObject

ENABLE = "job-bookmark-enable"
PAUSE = "job-bookmark-pause"
DISABLE = "job-bookmark-disable"
OPTIONS = (ENABLE, PAUSE, DISABLE)


@dataclass(frozen=True)
class InputBookmark:
    state_location: str
    job_name: str
    option: str = ENABLE

    def __post_init__(self) -> None:
        if self.option not in OPTIONS:
            raise ValueError(f"--job-bookmark-option must be one of {list(OPTIONS)}, got {self.option!r}")

    @property
    def uri(self) -> str:
        return storage.join(self.state_location, "bookmarks", f"{self.job_name}.json")

    def _recorded(self) -> dict[str, dict[str, object]]:
        document = fitted_state.read_sealed_json(self.uri)
        return {} if document is None else document.get("files", {})

    def pending(self, objects: list[StoredObject]) -> list[StoredObject]:
        """The objects this run must process."""
        if self.option == DISABLE:
            return list(objects)
        recorded = self._recorded()
        return [obj for obj in objects if recorded.get(obj.uri) != {"bytes": obj.bytes, "fingerprint": obj.fingerprint}]

    def record(self, processed: list[StoredObject], run_id: str) -> None:
        """Adds the processed objects to the manifest (only with job-bookmark-enable)."""
        if self.option != ENABLE or not processed:
            return
        files = self._recorded()
        files.update({obj.uri: {"bytes": obj.bytes, "fingerprint": obj.fingerprint} for obj in processed})
        fitted_state.write_sealed_json(self.uri, {"job_name": self.job_name, "last_run_id": run_id, "files": files})
