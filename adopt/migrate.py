"""Copy a live table's items into the catalog's table: `tableforge adopt migrate`.

A parallel Scan (one thread per segment) reads the source a page at a time; each page is
mapped (the catalog's key mapping, if any), validated and written by the seed loader
(``seed.sync.Loader``: BatchGetItem compare, parallel BatchWriteItem, backoff, a write
rate limit on provisioned or capped targets). The loader adds no ``seeded_by`` marker,
so ``seed load --prune`` never deletes a migrated item. Reads are limited to a share of
the source's read capacity. After every page the segment's position is checkpointed;
a killed run resumes from there, and a re-run compares everything and writes nothing
that is already there. Items in the target that differ from the source are conflicts:
reported, and kept unless ``overwrite``. The source is only ever read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from adopt.checkpoint import DEFAULT_DIR, Checkpoint
from adopt.keymap import KeyMapError, KeyMapping
from adopt.scan import Scanner, each_segment, read_limiter
from adopt.verify import Verification, Verifier
from seed.datafiles import Source
from seed.sync import Loader, LoadOptions, TableResult
from tableforge.catalog import TableSpec
from tableforge.errors import TableforgeError

#: Sample mapped items a dry run prints.
SAMPLE_ITEMS = 3


@dataclass(frozen=True, kw_only=True)
class MigrationRequest:
    stage: str
    system: str
    table: str
    spec: TableSpec
    #: The catalog table's physical name.
    target: str
    #: The live table copied from.
    source: str
    key_mapping: KeyMapping | None
    segments: int = 4
    page_size: int = 500
    workers: int = 4
    capacity_share: float = 0.5
    dry_run: bool = False
    overwrite: bool = False
    checkpoint_dir: Path = DEFAULT_DIR
    #: Where the tables are ("aws" or the --endpoint-url), part of the checkpoint's identity.
    endpoint: str = "aws"


@dataclass
class MigrationResult:
    source: str
    target: str
    segments: int
    dry_run: bool
    resumed: bool = False
    #: Pages the checkpoint let this run skip.
    skipped_pages: int = 0
    scanned: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    conflicts: int = 0
    written: int = 0
    conflict_keys: list[str] = field(default_factory=list)
    samples: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    checkpoint: str | None = None
    checkpoint_discarded: str | None = None
    verification: Verification | None = None

    @property
    def ok(self) -> bool:
        return self.conflicts == 0 and (self.dry_run or (self.verification is not None and self.verification.ok))

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "verification"}
        out["seconds"] = round(self.seconds, 3)
        out["verification"] = self.verification.as_dict() if self.verification else None
        out["ok"] = self.ok
        return out


def migrate(client: Any, request: MigrationRequest) -> MigrationResult:
    """Copy (or, with ``dry_run``, compare) every item of the source into the target."""
    started = time.monotonic()
    source = _describe(client, request.source, "the live table to copy from", "--from")
    target = _describe(client, request.target, "the catalog table (deploy its data stack first)", "--table")
    _check_keys(request, source)
    scanner = Scanner(
        client,
        request.source,
        total_segments=request.segments,
        page_size=request.page_size,
        limiter=read_limiter(source, request.capacity_share),
    )
    loader = Loader(
        client,
        options=LoadOptions(
            stage=request.stage,
            dry_run=request.dry_run,
            workers=request.workers,
            capacity_share=request.capacity_share,
            overwrite=request.overwrite,
        ),
        table_name=lambda _system, _table: request.target,
    )
    result = MigrationResult(request.source, request.target, request.segments, request.dry_run)
    checkpoint = None if request.dry_run else _checkpoint(request, source, target)
    if checkpoint is not None:
        result.resumed, result.checkpoint_discarded = checkpoint.resumed, checkpoint.discarded
        result.checkpoint = str(checkpoint.path)
        result.skipped_pages = sum(s.pages for s in checkpoint.segments)
    live_keys = [k["AttributeName"] for k in source["KeySchema"]]
    copier = _Copier(request, scanner, loader, checkpoint, result, live_keys)
    each_segment(request.segments, copier.segment)
    if checkpoint is not None:
        # The copy pass is complete, whatever the verification finds: the next run
        # compares every item again instead of resuming.
        checkpoint.finish()
        result.verification = Verifier(
            client, scanner, target=request.target, key_names=_key_names(request), transform=copier.transform
        ).run()
    result.seconds = time.monotonic() - started
    return result


class _Copier:
    """Copies the segments: map, validate and write each page, then checkpoint it."""

    def __init__(
        self,
        request: MigrationRequest,
        scanner: Scanner,
        loader: Loader,
        checkpoint: Checkpoint | None,
        result: MigrationResult,
        live_keys: list[str],
    ) -> None:
        self.request, self.scanner, self.loader = request, scanner, loader
        self.checkpoint, self.result, self.live_keys = checkpoint, result, live_keys
        self._lock = threading.Lock()

    def transform(self, item: dict[str, Any]) -> dict[str, Any]:
        mapping = self.request.key_mapping
        return mapping.apply(item) if mapping else item

    def segment(self, number: int) -> None:
        state = self.checkpoint.segments[number] if self.checkpoint else None
        if state is not None and state.done:
            return
        for page, last in self.scanner.pages(number, state.last_key if state else None):
            written = self._page(number, page)
            if self.checkpoint is not None:
                self.checkpoint.record(number, last_key=last, scanned=len(page), written=written)

    def _page(self, number: int, page: list[dict[str, Any]]) -> int:
        mapped = self._map(number, page)
        if self.request.dry_run and len(self.result.samples) < SAMPLE_ITEMS:
            self.result.samples.extend(mapped[: SAMPLE_ITEMS - len(self.result.samples)])
        source = Source(
            system=self.request.system,
            table=self.request.table,
            spec=self.request.spec,
            display=f"{self.request.source} (segment {number})",
            items=_items(mapped),
        )
        (table_result,) = self.loader.run([source])
        self._add(len(page), table_result)
        return table_result.written

    def _map(self, number: int, page: list[dict[str, Any]]) -> list[dict[str, Any]]:
        mapped, errors = [], []
        for item in page:
            try:
                mapped.append(self.transform(item))
            except KeyMapError as exc:
                keys = " ".join(f"{k}={item.get(k)!r}" for k in self.live_keys)
                errors.append(f"{self.request.source} (segment {number}): item {keys}: {exc}")
        if errors:
            shown = "\n  ".join(errors[:20])
            raise TableforgeError(
                f"{len(errors)} item(s) cannot be mapped; nothing of this page was written\n  {shown}"
            )
        return mapped

    def _add(self, scanned: int, table: TableResult) -> None:
        result = self.result
        with self._lock:
            result.scanned += scanned
            result.added += table.added
            result.changed += table.changed
            result.unchanged += table.unchanged
            result.conflicts += table.conflicts
            result.written += table.written
            result.conflict_keys.extend(line for line in table.diff if line.startswith("!"))


def _items(mapped: list[dict[str, Any]]) -> Callable[[], Any]:
    return lambda: iter(enumerate(mapped))


def _describe(client: Any, name: str, what: str, flag: str) -> dict[str, Any]:
    try:
        table: dict[str, Any] = client.describe_table(TableName=name)["Table"]
        return table
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException":
            raise TableforgeError(f"{name}, {what}, does not exist at this endpoint", field=flag) from None
        raise


def _key_names(request: MigrationRequest) -> list[str]:
    return [k.name for k in request.spec.key_attributes()]


def _check_keys(request: MigrationRequest, source: dict[str, Any]) -> None:
    if request.source == request.target:
        raise TableforgeError(f"--from {request.source} is the catalog table itself", field="--from")
    live = {k["KeyType"]: k["AttributeName"] for k in source["KeySchema"]}
    types = {a["AttributeName"]: a["AttributeType"] for a in source.get("AttributeDefinitions", [])}
    mapping = request.key_mapping
    if mapping is None:
        want = {k.name: k.type for k in request.spec.key_attributes()}
        have = {name: types.get(name) for name in live.values()}
        if want != have:
            raise TableforgeError(
                f"{request.source} is keyed {have}, the catalog table {want}; declare a key_map for it "
                f"in the catalog's live.{request.stage}",
                field="--from",
            )
        return
    unused = mapping.unused_keys(live.values())
    if unused:
        raise TableforgeError(
            f"the key mapping ({mapping.describe()}) ignores live key attribute(s) {unused}: two items "
            "could get one key and one would be lost",
            field="key_map",
        )


def _checkpoint(request: MigrationRequest, source: dict[str, Any], target: dict[str, Any]) -> Checkpoint:
    identity = {
        "endpoint": request.endpoint,
        "source": source["TableArn"],
        "source_created": str(source.get("CreationDateTime")),
        "target": target["TableArn"],
        "target_created": str(target.get("CreationDateTime")),
        "segments": request.segments,
        "page_size": request.page_size,
        "key_mapping": request.key_mapping.describe() if request.key_mapping else None,
        "overwrite": request.overwrite,
    }
    table = f"{request.system}/{request.table}"
    return Checkpoint.open(
        request.checkpoint_dir, stage=request.stage, table=table, source=request.source, identity=identity
    )
