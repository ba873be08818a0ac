"""Per-segment checkpoints of a migration, so a killed run resumes where it stopped.

One JSON file per stage, catalog table and source table, under ``.local/adopt/`` (git
ignores ``.local/``). After every page a segment records the Scan's LastEvaluatedKey;
a segment that reached its end is done. The file also records what it belongs to (the
endpoint, both tables' creation times, segments, page size, key mapping): a checkpoint
that does not match is ignored, since resuming it would skip items. A completed run
marks the file complete, so the next run compares everything again.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_DIR = Path(".local") / "adopt"


@dataclass
class Segment:
    last_key: dict[str, Any] | None = None
    done: bool = False
    pages: int = 0
    scanned: int = 0
    written: int = 0


@dataclass
class Checkpoint:
    path: Path
    identity: dict[str, Any]
    segments: list[Segment]
    complete: bool = False
    #: Why an existing file was not resumed, or None.
    discarded: str | None = None
    resumed: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def open(cls, directory: Path, *, stage: str, table: str, source: str, identity: dict[str, Any]) -> Checkpoint:
        """Resume the file at ``directory/stage/table/source.json`` if it matches ``identity``."""
        path = directory / stage / table.replace("/", ".") / f"{source}.json"
        fresh = cls(path, identity, [Segment() for _ in range(int(identity["segments"]))])
        if not path.is_file():
            return fresh
        try:
            saved = json.loads(path.read_text())
        except (OSError, ValueError):
            fresh.discarded = "unreadable"
            return fresh
        if saved.get("complete"):
            return fresh  # the last run finished: compare everything again
        if saved.get("identity") != identity:
            fresh.discarded = "it belongs to other tables or settings"
            return fresh
        segments = [Segment(**s) for s in saved.get("segments", [])]
        return cls(path, identity, segments, resumed=True)

    def save(self) -> None:
        with self._lock:
            self._write()

    def record(self, number: int, *, last_key: dict[str, Any] | None, scanned: int, written: int) -> None:
        """One page of segment ``number`` is written; ``last_key`` None means the segment is done."""
        with self._lock:
            segment = self.segments[number]
            segment.last_key = last_key
            segment.done = last_key is None
            segment.pages += 1
            segment.scanned += scanned
            segment.written += written
            self._write()

    def finish(self) -> None:
        with self._lock:
            self.complete = True
            self._write()

    def _write(self) -> None:
        """Atomically: a kill during the write leaves the previous file intact."""
        data = {"identity": self.identity, "complete": self.complete, "segments": [s.__dict__ for s in self.segments]}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
        os.replace(tmp, self.path)
