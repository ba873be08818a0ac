"""The idempotent sync: compare, write in parallel with backoff, prune what we wrote.

Per table, items are streamed in chunks: each chunk's existing items are read with
BatchGetItem (skipped when the table is empty), only added or changed items are
written, and BatchWriteItem calls run in parallel. Throttling errors and
UnprocessedItems are retried with exponential backoff and full jitter (boto3's
batch_writer resends immediately). Provisioned tables get a write-rate limit so
seeding a live table does not throttle its users.

A load that cannot finish stops at once and says why: DynamoDB unreachable, still
throttled after every retry, or a batch DynamoDB rejected (with the file and items it
held). What was written up to then is in ``Loader.results`` (per table, exact: every
item counted was acknowledged by DynamoDB), for the caller to report; the same holds
for Ctrl-C.
"""

from __future__ import annotations

import base64
import json
import math
import random
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from json.encoder import encode_basestring_ascii
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from seed.datafiles import (
    MARKER_ATTRIBUTE,
    MARKER_VALUE,
    SeedError,
    Source,
    item_size,
    key_label,
    to_decimal,
    validate_sources,
)
from seed.progress import Progress

#: Errors that mean "slow down and try again".
THROTTLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "ThrottlingError",
        "InternalServerError",
        "ServiceUnavailable",
    }
)
#: What a server that stopped, or a network that is down, looks like from here.
CONNECTION_ERRORS = (BotoConnectionError, HTTPClientError)
BATCH_WRITE_MAX = 25  # DynamoDB's BatchWriteItem limit
BATCH_GET_MAX = 100  # DynamoDB's BatchGetItem limit
CHUNK = 2000  # items compared and written per step; bounds memory per table


@dataclass
class Backoff:
    """Exponential backoff with full jitter (AWS Architecture Blog, 'Exponential
    Backoff And Jitter'): sleep uniform(0, min(cap, base * 2**attempt))."""

    base: float = 0.05
    cap: float = 5.0
    max_attempts: int = 12
    #: A connection that fails this many times in a row (refused, reset, timed out)
    #: means the endpoint is unreachable: not throttling, so not worth 12 tries.
    connection_attempts: int = 4
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def pause(self, attempt: int) -> None:
        self.sleep(self.rng.uniform(0, min(self.cap, self.base * (2**attempt))))


class RateLimiter:
    """Token bucket in write capacity units per second; a request may go into
    debt (a 25-item batch can cost more than the bucket holds) and waits it off."""

    def __init__(self, rate: float, burst_seconds: float = 10.0) -> None:
        self.rate = rate
        self.capacity = max(rate * burst_seconds, 1.0)
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self.lock = threading.Lock()

    def acquire(self, units: float) -> None:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            self.tokens -= units
            wait_for = -self.tokens / self.rate if self.tokens < 0 else 0.0
        if wait_for > 0:
            time.sleep(wait_for)


class LoadFailed(SeedError):
    """A load that stopped part way because a DynamoDB call failed. The input was
    fine, so the exit status is 1 (a failed call), not 2 (bad input)."""

    exit_status = 1


class Unreachable(LoadFailed):
    """The endpoint stopped answering: refused, reset or timed-out connections."""


class BatchRejected(ClientError):
    """DynamoDB rejected a batch outright (not throttling): the error, and which
    items of which file the batch held."""

    def __init__(self, error: ClientError, *, table: str, held: list[str]) -> None:
        super().__init__(error.response, error.operation_name)
        self.table = table
        self.held = held


class _Stopped(Exception):
    """Another batch failed, or the user pressed Ctrl-C: send nothing more."""


@dataclass
class TableResult:
    system: str
    table: str
    name: str
    items: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    #: Existing items that differ and were left alone (``LoadOptions.overwrite`` off).
    conflicts: int = 0
    written: int = 0
    removed: int = 0
    deleted: int = 0
    seconds: float = 0.0
    skipped: str | None = None
    #: No data file: visited only to prune what the loader wrote there before.
    prune_only: bool = False
    write_rate_limit: float | None = None
    diff: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "diff"}
        out["seconds"] = round(self.seconds, 3)
        return out


@dataclass
class LoadOptions:
    stage: str
    dry_run: bool = False
    prune: bool = False
    workers: int = 8
    #: Share of a provisioned table's write capacity the loader may use.
    capacity_share: float = 0.5
    #: Print at most this many diff lines per table in --dry-run.
    diff_limit: int = 50
    #: Off: an existing item that differs is a conflict, counted and listed but not
    #: written (adopt migrate merging into a table others write to).
    overwrite: bool = True
    #: The ``seeded_by`` value of this data set: --prune deletes only items carrying it.
    marker: str = MARKER_VALUE
    #: DynamoDB Local: it enforces no on-demand maximum, so the stage's cost guard
    #: (dev's 100 write request units) must not slow a local load down.
    local: bool = False


def _serializer() -> Callable[[dict[str, Any]], dict[str, Any]]:
    """DynamoDB JSON for validated items. Types are dispatched directly (boto3's
    TypeSerializer checks every value against each type in turn), which matters
    at 100,000 items; anything unusual (sets, Binary) goes to TypeSerializer."""
    fallback = TypeSerializer().serialize

    def value(v: Any) -> dict[str, Any]:
        kind = type(v)
        if kind is str:
            return {"S": v}
        if kind is Decimal or kind is int:
            return {"N": str(v)}
        if kind is bool:
            return {"BOOL": v}
        if v is None:
            return {"NULL": True}
        if kind is dict:
            return {"M": {k: value(x) for k, x in v.items()}}
        if kind is list:
            return {"L": [value(x) for x in v]}
        if kind is float:
            return {"N": str(Decimal(repr(v)))}
        if kind is bytes or kind is bytearray:
            return {"B": bytes(v)}
        return dict(fallback(v))

    return lambda item: {k: value(v) for k, v in item.items()}


def _put_encoder() -> Callable[[dict[str, Any]], str]:
    """A PutRequest as JSON text, written straight from the item: building a dict per
    attribute and then dumping it cost twice as much (8 against 4 us an item,
    profiled), and this runs for every item. Strings and numbers (nearly every
    value) are written inline; anything else goes through the serializer."""
    serialize = _serializer()
    quote = encode_basestring_ascii  # what json.dumps writes for a str

    def value(v: Any) -> str:
        kind = type(v)
        if kind is str:
            return '{"S":' + quote(v) + "}"
        if kind is Decimal or kind is int:
            return '{"N":"' + str(v) + '"}'
        if kind is dict:
            return '{"M":{' + ",".join([quote(k) + ":" + value(x) for k, x in v.items()]) + "}}"
        if kind is list:
            return '{"L":[' + ",".join([value(x) for x in v]) + "]}"
        return json.dumps(serialize({"v": v})["v"], default=_json_default)

    def put(item: dict[str, Any]) -> str:
        parts = []
        for k, v in item.items():
            kind = type(v)
            if kind is str:
                parts.append(quote(k) + ':{"S":' + quote(v) + "}")
            elif kind is Decimal or kind is int:
                parts.append(quote(k) + ':{"N":"' + str(v) + '"}')
            else:
                parts.append(quote(k) + ":" + value(v))
        return '{"PutRequest":{"Item":{' + ",".join(parts) + "}}}"

    return put


class _Tally:
    """What DynamoDB acknowledged for one table, counted as each response arrives
    (so a load that stops part way still knows exactly what it wrote)."""

    def __init__(self, result: TableResult, what: str, bar: Any) -> None:
        self.result, self.what, self.bar = result, what, bar
        self.lock = threading.Lock()

    def add(self, count: int) -> None:
        with self.lock:
            setattr(self.result, self.what, getattr(self.result, self.what) + count)
        if self.bar:
            self.bar.advance(count)


@dataclass
class _Tries:
    """One call's retry state: what the last failure was, for the message."""

    throttled: str | None = None
    connection_failures: int = 0
    connection_error: Exception | None = None


class Loader:
    def __init__(
        self,
        client: Any,
        *,
        options: LoadOptions,
        table_name: Callable[[str, str], str],
        backoff: Backoff | None = None,
        progress: Progress | None = None,
        log: Callable[[str], None] = lambda _msg: None,
        transport: Callable[[bytes], dict[str, Any]] | None = None,
    ) -> None:
        self.client = client
        #: Sends an encoded BatchWriteItem body (seed/transport.py, DynamoDB Local);
        #: None: through the botocore client.
        self.transport = transport
        self.options = options
        self.table_name = table_name
        self.backoff = backoff or Backoff()
        self.progress = progress
        self.log = log
        self.serialize = _serializer()
        self.encode_put = _put_encoder()
        self.deserialize = TypeDeserializer().deserialize
        #: One entry per table begun, updated as DynamoDB acknowledges writes: after a
        #: failure or Ctrl-C, what was written up to then.
        self.results: list[TableResult] = []
        #: Tables of the load not reached yet (physical names).
        self.not_reached: list[str] = []
        self._stop = threading.Event()
        #: What set ``_stop``: the first failure (or Ctrl-C) of any run of this loader.
        self._stopped_by = ""
        self._body = threading.local()
        # One rate limiter per table for the loader's lifetime, so repeated runs (adopt
        # migrate runs one per page) share one write budget.
        self._limiters: dict[str, RateLimiter | None] = {}
        self._limiters_lock = threading.Lock()
        client.meta.events.register_first("before-call.dynamodb.BatchWriteItem", self._use_prepared_body)

    # --- entry point -----------------------------------------------------------

    def run(self, sources: list[Source]) -> list[TableResult]:
        try:
            return self._run(sources)
        except _Stopped:
            # A loader shared by several threads (adopt migrate) stops as a whole: a run that
            # was still going says why, instead of ending in an internal exception.
            raise LoadFailed(f"stopped because another part of this load failed first: {self._stopped_by}") from None

    def _run(self, sources: list[Source]) -> list[TableResult]:
        validated = validate_sources(sources)
        described: dict[int, dict[str, Any]] = {}
        missing: set[int] = set()
        for number, source in enumerate(sources):
            if source.skip_reason:
                continue
            try:
                described[number] = self._describe(source)  # every table exists before any write
            except SeedError:
                if not source.prune_only:
                    raise
                missing.add(number)  # no table, so nothing of ours to prune there
        self.not_reached = [self.table_name(s.system, s.table) for s in sources]
        # A long-lived loader (adopt migrate) runs once per page, from several threads:
        # return this run's results only.
        mine: list[TableResult] = []
        for number, source in enumerate(sources):
            name = self.not_reached.pop(0)
            result = TableResult(system=source.system, table=source.table, name=name, prune_only=source.prune_only)
            self.results.append(result)
            mine.append(result)
            if source.skip_reason or number in missing:
                result.skipped = source.skip_reason or "no data file and no table"
                continue
            result.items = validated.counts[number]
            started = time.monotonic()
            try:
                with self._limiters_lock:
                    if name not in self._limiters:
                        self._limiters[name] = self._limiter(described[number], result)
                    limiter = self._limiters[name]
                result.write_rate_limit = limiter.rate if limiter else None
                self._sync_table(source, name, limiter, result)
                if self.options.prune:
                    self._prune(source, name, validated.keys[number], limiter, result)
            finally:
                result.seconds = time.monotonic() - started
        return mine

    # --- table facts -----------------------------------------------------------

    def _describe(self, source: Source) -> dict[str, Any]:
        name = self.table_name(source.system, source.table)
        try:
            table: dict[str, Any] = self._call(self.client.describe_table, TableName=name)["Table"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ResourceNotFoundException":
                raise SeedError(
                    f"table {name} does not exist at this endpoint (deploy the stage, or for DynamoDB "
                    "Local run `python -m seed local-tables`); nothing was written",
                    file=source.display,
                ) from None
            raise
        live = {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]}
        expected = {source.spec.partition_key.name: "HASH"}
        if source.spec.sort_key:
            expected[source.spec.sort_key.name] = "RANGE"
        if live != expected:
            raise SeedError(
                f"table {name} has key schema {live} but the catalog declares {expected}; nothing was written",
                file=source.display,
            )
        return table

    def _limiter(self, table: dict[str, Any], result: TableResult) -> RateLimiter | None:
        """Provisioned tables: a share of their write capacity. On-demand tables with
        a maximum write rate (the stage's cost guard): a share of that maximum, except
        on DynamoDB Local, which enforces no maximum and costs nothing."""
        capacity = 0.0
        if table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED") == "PROVISIONED":
            capacity = float(table.get("ProvisionedThroughput", {}).get("WriteCapacityUnits") or 0)
        elif not self.options.local:
            capacity = float(table.get("OnDemandThroughput", {}).get("MaxWriteRequestUnits") or 0)
        if capacity <= 0:
            return None
        rate = max(capacity * self.options.capacity_share, 1.0)
        result.write_rate_limit = rate
        return RateLimiter(rate)

    # --- compare and write -----------------------------------------------------

    def _chunks(self, source: Source) -> Iterator[list[tuple[int, dict[str, Any]]]]:
        chunk: list[tuple[int, dict[str, Any]]] = []
        extra = source.extra
        for index, item in source.items():
            chunk.append((index, {**item, **extra} if extra else item))
            if len(chunk) >= CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _is_empty(self, name: str) -> bool:
        response = self._call(self.client.scan, TableName=name, Limit=1, Select="COUNT")
        return response.get("Count", 0) == 0 and "LastEvaluatedKey" not in response

    def _sync_table(self, source: Source, name: str, limiter: RateLimiter | None, result: TableResult) -> None:
        if source.prune_only:
            return
        key_names = [k.name for k in source.spec.key_attributes()]
        #: synthetic data: an expiry that moved by less than this is not a change
        ttl, slack = source.spec.ttl, float(getattr(source, "ttl_slack", 0) or 0)
        empty = self._is_empty(name)
        bar = self.progress.start(name, result.items) if self.progress else None
        tally = _Tally(result, "written", bar)
        with ThreadPoolExecutor(max_workers=self.options.workers) as pool:
            pending: set[Future[None]] = set()
            try:
                for chunk in self._chunks(source):
                    existing = {} if empty else self._existing(pool, name, chunk, key_names)
                    to_write: list[tuple[int, dict[str, Any]]] = []
                    if not existing:  # all new: nothing to compare
                        result.added += len(chunk)
                        if self.options.dry_run:
                            for _, item in chunk:
                                self._note(result, f"+ {key_label(item, source.spec)}")
                        to_write = chunk
                    for index, item in chunk if existing else ():
                        item = to_decimal(item)  # compare as DynamoDB returns numbers
                        key = tuple(_hashable(item[k]) for k in key_names)
                        old = existing.get(key)
                        if old is None:
                            result.added += 1
                            self._note(result, f"+ {key_label(item, source.spec)}")
                        elif old == item or (slack and _same_but_expiry(old, item, ttl, slack)):
                            result.unchanged += 1
                            if bar:
                                bar.advance(1)
                            continue
                        else:
                            fields = sorted(k for k in set(old) | set(item) if old.get(k) != item.get(k))
                            if not self.options.overwrite:
                                result.conflicts += 1
                                if len(result.diff) < self.options.diff_limit:
                                    result.diff.append(f"! {key_label(item, source.spec)} ({', '.join(fields)})")
                                if bar:
                                    bar.advance(1)
                                continue
                            result.changed += 1
                            self._note(result, f"~ {key_label(item, source.spec)} ({', '.join(fields)})")
                        to_write.append((index, item))
                    if self.options.dry_run:
                        if bar:
                            bar.advance(len(to_write))
                        continue
                    for start in range(0, len(to_write), BATCH_WRITE_MAX):
                        batch = to_write[start : start + BATCH_WRITE_MAX]
                        requests: list[str | dict[str, Any]] = [self.encode_put(i) for _, i in batch]
                        if limiter:  # a write costs 1 WCU per started KB
                            limiter.acquire(sum(math.ceil(max(item_size(i), 1) / 1024) for _, i in batch))
                        # bound the work in flight, so memory stays flat on huge files
                        while len(pending) >= self.options.workers * 2:
                            done, pending = wait(pending, return_when=FIRST_COMPLETED)
                            _raise_failures(done)
                        held = _Held(source, batch)
                        pending.add(pool.submit(self._write_batch, name, requests, tally, held))
                done, pending = wait(pending)
                _raise_failures(done)
            except BaseException:
                self._drain(pending)
                raise
        if bar:
            bar.finish()

    def _drain(self, pending: set[Future[None]]) -> None:
        """After a failure or Ctrl-C: send nothing more, let the calls already on the
        wire finish (their writes are counted), then return. Called while handling the
        exception that stops the load."""
        if not self._stop.is_set():
            cause = sys.exc_info()[1]
            self._stopped_by = "Ctrl-C" if isinstance(cause, KeyboardInterrupt) else str(cause)
        self._stop.set()
        for future in pending:
            future.cancel()
        wait(pending)

    def _note(self, result: TableResult, line: str) -> None:
        if self.options.dry_run and len(result.diff) < self.options.diff_limit:
            result.diff.append(line)

    def _existing(
        self,
        pool: ThreadPoolExecutor,
        name: str,
        chunk: list[tuple[int, dict[str, Any]]],
        key_names: list[str],
    ) -> dict[tuple[Any, ...], dict[str, Any]]:
        keys = [{k: item[k] for k in key_names} for _, item in chunk]
        batches = [keys[i : i + BATCH_GET_MAX] for i in range(0, len(keys), BATCH_GET_MAX)]
        found: dict[tuple[Any, ...], dict[str, Any]] = {}
        for items in pool.map(lambda batch: self._get_batch(name, batch), batches):
            for raw in items:
                item = {k: self.deserialize(v) for k, v in raw.items()}
                found[tuple(_hashable(item[k]) for k in key_names)] = item
        return found

    # --- calls and retries -------------------------------------------------------

    def _attempt(self, attempt: int, call: Callable[[], Any], tries: _Tries) -> Any:
        """One try of ``call``: its response, or None after a throttling error or a
        dropped connection (having backed off). Raises Unreachable when connections
        keep failing, _Stopped when the load is stopping; any other error propagates."""
        if self._stop.is_set():
            raise _Stopped
        try:
            response = call()
            tries.connection_failures = 0
            return response
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code not in THROTTLE_CODES:
                raise
            tries.throttled = code
        except CONNECTION_ERRORS as exc:
            tries.connection_failures += 1
            tries.connection_error = exc
            if tries.connection_failures >= self.backoff.connection_attempts:
                raise Unreachable(
                    f"DynamoDB at {self.client.meta.endpoint_url} is unreachable: {exc} "
                    f"({tries.connection_failures} attempts in a row); the server stopped or the network is down"
                ) from None
        self.backoff.pause(attempt)
        return None

    def _call(self, method: Callable[..., Any], **kwargs: Any) -> Any:
        """A single DynamoDB call (describe, scan) with the same retries as a batch."""
        tries = _Tries()
        for attempt in range(self.backoff.max_attempts):
            response = self._attempt(attempt, partial(method, **kwargs), tries)
            if response is not None:
                return response
        raise LoadFailed(
            f"{kwargs.get('TableName', 'DynamoDB')}: gave up after {self.backoff.max_attempts} attempts ({_why(tries)})"
        )

    def _get_batch(self, name: str, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        request = {name: {"Keys": [self.serialize(k) for k in keys], "ConsistentRead": True}}
        items: list[dict[str, Any]] = []
        tries = _Tries()
        for attempt in range(self.backoff.max_attempts):
            response = self._attempt(attempt, partial(self.client.batch_get_item, RequestItems=request), tries)
            if response is None:
                continue
            items.extend(response.get("Responses", {}).get(name, []))
            request = response.get("UnprocessedKeys") or {}
            if not request:
                return items
            tries.throttled = tries.throttled or "UnprocessedKeys"
            self.backoff.pause(attempt)
        raise LoadFailed(
            f"{name}: gave up reading existing items after {self.backoff.max_attempts} attempts ({_why(tries)})"
        )

    def _batch_write(self, name: str, requests: list[str | dict[str, Any]]) -> Any:
        """BatchWriteItem with a body we encode ourselves (puts arrive as JSON text,
        resent unprocessed items as dicts). botocore's serializer walks every attribute
        value against the service model again: at 100,000 items that was two thirds
        of the loader's CPU. Through the client, the call still gets botocore's
        endpoint, signing and error parsing, only the body is swapped in; with a
        transport (DynamoDB Local) the body goes straight to it."""
        text = [r if type(r) is str else json.dumps(r, default=_json_default) for r in requests]
        body = ('{"RequestItems":{' + encode_basestring_ascii(name) + ":[" + ",".join(text) + "]}}").encode()
        if self.transport is not None:
            return self.transport(body)
        self._body.data = body
        self._body.used = False
        try:
            # the placeholder is what botocore serializes; the handler replaces its body
            response = self.client.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": {}}}]})
        finally:
            used, self._body.data = self._body.used, None
        if not used:  # pragma: no cover - our handler is registered in __init__
            raise RuntimeError("prepared BatchWriteItem body was not used")
        return response

    def _use_prepared_body(self, params: dict[str, Any], **_: Any) -> None:
        data = getattr(self._body, "data", None)
        if data is not None:
            params["body"] = data
            self._body.used = True

    def _write_batch(self, name: str, requests: list[Any], tally: _Tally, held: _Held) -> None:
        """Write one batch until every request is processed, counting into ``tally``
        what DynamoDB acknowledged as it goes."""
        tries = _Tries()
        for attempt in range(self.backoff.max_attempts):
            # A dropped connection may or may not have landed the batch; puts and
            # deletes are idempotent, so sending the same batch again is safe.
            try:
                response = self._attempt(attempt, partial(self._batch_write, name, requests), tries)
            except ClientError as exc:
                raise BatchRejected(exc, table=name, held=held.describe(requests)) from None
            if response is None:
                continue
            unprocessed = response.get("UnprocessedItems", {}).get(name, [])
            tally.add(len(requests) - len(unprocessed))
            if not unprocessed:
                return
            requests = unprocessed
            tries.throttled = "UnprocessedItems"
            self.backoff.pause(attempt)
        raise LoadFailed(
            f"{name}: {len(requests)} item(s) still unprocessed after {self.backoff.max_attempts} attempts "
            f"with backoff; {_why(tries)}: try again later or lower --workers"
        )

    # --- prune -------------------------------------------------------------------

    def _prune(
        self,
        source: Source,
        name: str,
        keep: set[tuple[Any, ...]],
        limiter: RateLimiter | None,
        result: TableResult,
    ) -> None:
        """Delete items carrying this data set's marker whose key the data no longer has.
        Items without it (written by anyone else, or by another data set) are never touched."""
        key_names = [k.name for k in source.spec.key_attributes()]
        names = {f"#k{i}": k for i, k in enumerate(key_names)}
        names["#m"] = MARKER_ATTRIBUTE
        kwargs: dict[str, Any] = {
            "TableName": name,
            "FilterExpression": "#m = :m",
            "ProjectionExpression": ", ".join(n for n in names if n != "#m"),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {":m": {"S": self.options.marker}},
        }
        stale: list[dict[str, Any]] = []
        while True:
            page = self._call(self.client.scan, **kwargs)
            for raw in page.get("Items", []):
                item = {k: self.deserialize(v) for k, v in raw.items()}
                if tuple(_hashable(item[k]) for k in key_names) not in keep:
                    stale.append(item)
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        result.removed = len(stale)
        for item in stale:
            self._note(result, f"- {key_label(item, source.spec)}")
        if self.options.dry_run or not stale:
            return
        tally = _Tally(result, "deleted", None)
        with ThreadPoolExecutor(max_workers=self.options.workers) as pool:
            futures: set[Future[None]] = set()
            try:
                for start in range(0, len(stale), BATCH_WRITE_MAX):
                    batch = stale[start : start + BATCH_WRITE_MAX]
                    if limiter:
                        limiter.acquire(len(batch))
                    requests = [{"DeleteRequest": {"Key": self.serialize(i)}} for i in batch]
                    held = _Held(source, [(None, i) for i in batch])
                    futures.add(pool.submit(self._write_batch, name, requests, tally, held))
                done, futures = wait(futures)
                _raise_failures(done)
            except BaseException:
                self._drain(futures)
                raise


class _Held:
    """The items of one batch, to name them if DynamoDB rejects it."""

    def __init__(self, source: Source, batch: Sequence[tuple[int | None, dict[str, Any]]]) -> None:
        self.source, self.batch = source, batch

    def describe(self, requests: list[dict[str, Any]]) -> list[str]:
        lines = []
        for index, item in self.batch:
            where = f"item [{index}] " if index is not None else "item "
            lines.append(f"{self.source.display}: {where}({key_label(item, self.source.spec)})")
        return lines


def _raise_failures(done: set[Future[None]]) -> None:
    for future in done:
        future.result()  # re-raises a batch that gave up or was rejected


def _why(tries: _Tries) -> str:
    if tries.throttled in ("UnprocessedItems", "UnprocessedKeys"):
        return f"DynamoDB kept returning {tries.throttled}: the table is being throttled"
    if tries.throttled in ("InternalServerError", "ServiceUnavailable"):
        return f"DynamoDB kept failing with {tries.throttled}"
    if tries.throttled:
        return f"the table is being throttled ({tries.throttled})"
    return f"the last error was {tries.connection_error}"


def _same_but_expiry(old: dict[str, Any], new: dict[str, Any], ttl: str | None, slack: float) -> bool:
    """The same item except for a TTL that moved by less than ``slack`` seconds."""
    if ttl is None or ttl not in old or ttl not in new or old.keys() != new.keys():
        return False
    try:
        moved = abs(Decimal(old[ttl]) - Decimal(new[ttl]))
    except (TypeError, ArithmeticError):
        return False
    return moved < Decimal(slack) and all(old[k] == new[k] for k in old if k != ttl)


def _json_default(value: Any) -> Any:
    """DynamoDB JSON on the wire: binary is base64, sets are lists."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    if isinstance(value, (set, frozenset)):
        return list(value)
    inner = getattr(value, "value", None)  # boto3 Binary
    if isinstance(inner, bytes):
        return base64.b64encode(inner).decode()
    raise TypeError(f"cannot encode {type(value).__name__}")


def _hashable(value: Any) -> Any:
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    value_of = getattr(value, "value", None)  # boto3 Binary
    return value_of if isinstance(value_of, bytes) else value
