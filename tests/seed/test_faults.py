"""Injected faults: throttling errors and UnprocessedItems, through a botocore
before-call hook on the loader's client. Every item must still land exactly once."""

from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from seed.cli import make_client
from seed.datafiles import SeedError, discover
from seed.sync import Backoff, Loader, LoadOptions
from tableforge.catalog import load_catalog
from tableforge.naming import table_name

TABLE = "auxeira-events-dev"
N = 300


class Faults:
    """Call 0, 3, 6...: throttled (nothing written). Calls 1, 4, 7...: DynamoDB writes
    only the first half and returns the rest as UnprocessedItems. Others pass through."""

    def __init__(self, clean: Any, codes: tuple[str, ...]) -> None:
        self.clean, self.codes = clean, codes
        self.calls = 0
        self.landed: Counter[tuple[str, str]] = Counter()
        self.lock = threading.Lock()

    def __call__(self, params: dict[str, Any], **_: Any) -> Any:
        body = json.loads(params["body"])
        ((table, requests),) = body["RequestItems"].items()
        with self.lock:
            call = self.calls
            self.calls += 1
        if call % 3 == 0:
            code = self.codes[(call // 3) % len(self.codes)]
            return AWSResponse("http://fault", 400, {}, None), {
                "Error": {"Code": code, "Message": "injected"},
                "ResponseMetadata": {"HTTPStatusCode": 400},
            }
        if call % 3 == 1 and len(requests) > 1:
            half = len(requests) // 2
            self.clean.batch_write_item(RequestItems={table: requests[:half]})
            self._record(requests[:half])
            return AWSResponse("http://fault", 200, {}, None), {
                "UnprocessedItems": {table: requests[half:]},
                "ResponseMetadata": {"HTTPStatusCode": 200},
            }
        self._record(requests)
        return None  # let the real call through

    def _record(self, requests: list[dict[str, Any]]) -> None:
        with self.lock:
            for r in requests:
                item = r["PutRequest"]["Item"]
                self.landed[(item["PK"]["S"], item["SK"]["S"])] += 1


def _sources(tmp_path: Path) -> tuple[list[Any], set[tuple[str, str]]]:
    data = tmp_path / "data"
    (data / "auxeira").mkdir(parents=True)
    items = [{"PK": f"EVENT#{i:04d}", "SK": "DATE#2026-01-01", "n": i} for i in range(N)]
    (data / "auxeira" / "events.json").write_text(json.dumps(items))
    sources = discover(data, load_catalog(Path(__file__).resolve().parents[2] / "catalog"))
    return sources, {(i["PK"], i["SK"]) for i in items}


def _loader(client: Any, sleeps: list[float], attempts: int = 12) -> Loader:
    return Loader(
        client,
        options=LoadOptions(stage="dev", workers=4),
        table_name=lambda s, t: table_name(s, t, "dev"),
        backoff=Backoff(sleep=sleeps.append, max_attempts=attempts),
    )


@pytest.mark.parametrize(
    "codes",
    [("ProvisionedThroughputExceededException",), ("ThrottlingException", "RequestLimitExceeded")],
)
def test_throttling_and_unprocessed_items_still_write_every_item_once(
    ns: Any, tmp_path: Path, codes: tuple[str, ...]
) -> None:
    ns.create(TABLE)
    sources, keys = _sources(tmp_path)
    client = make_client(ns.endpoint, workers=4)
    faults = Faults(ns.client, codes)
    client.meta.events.register("before-call.dynamodb.BatchWriteItem", faults)
    sleeps: list[float] = []

    (result,) = _loader(client, sleeps).run(sources)

    assert result.written == N
    assert set(faults.landed) == keys
    assert set(faults.landed.values()) == {1}, "an item was sent again after DynamoDB had processed it"
    stored = {(i["PK"]["S"], i["SK"]["S"]) for i in ns.scan(TABLE)}
    assert stored == keys
    assert faults.calls > N // 25  # faults really happened: more calls than batches
    # each fault waited; full jitter keeps every wait within [0, min(cap, base * 2**attempt)]
    backoff = Backoff()
    assert len(sleeps) >= faults.calls - N // 25 - 1
    assert all(0 <= s <= backoff.cap for s in sleeps)


def test_backoff_grows_exponentially_with_full_jitter() -> None:
    sleeps: list[float] = []

    class Top:  # the largest draw jitter allows
        @staticmethod
        def uniform(low: float, high: float) -> float:
            return high

    backoff = Backoff(base=0.05, cap=5.0, sleep=sleeps.append, rng=Top())  # type: ignore[arg-type]
    for attempt in range(10):
        backoff.pause(attempt)
    assert sleeps == [min(5.0, 0.05 * 2**a) for a in range(10)]


def test_persistent_throttling_gives_up_with_a_clear_error(ns: Any, tmp_path: Path) -> None:
    ns.create(TABLE)
    sources, _ = _sources(tmp_path)
    client = make_client(ns.endpoint, workers=2)

    def always_throttled(**_: Any) -> Any:
        return AWSResponse("http://fault", 400, {}, None), {
            "Error": {"Code": "ProvisionedThroughputExceededException", "Message": "injected"}
        }

    client.meta.events.register("before-call.dynamodb.BatchWriteItem", always_throttled)
    sleeps: list[float] = []
    with pytest.raises(SeedError, match="unprocessed after 3 attempts"):
        _loader(client, sleeps, attempts=3).run(sources)
    assert len(sleeps) >= 3


def test_other_errors_are_not_retried(ns: Any, tmp_path: Path) -> None:
    ns.create(TABLE)
    sources, _ = _sources(tmp_path)
    client = make_client(ns.endpoint, workers=2)
    calls = []

    def invalid(**_: Any) -> Any:
        calls.append(1)
        return AWSResponse("http://fault", 400, {}, None), {
            "Error": {"Code": "ValidationException", "Message": "injected"}
        }

    client.meta.events.register("before-call.dynamodb.BatchWriteItem", invalid)
    sleeps: list[float] = []
    with pytest.raises(ClientError, match="ValidationException"):
        _loader(client, sleeps).run(sources)
    assert sleeps == []
    assert len(calls) <= -(-N // 25)  # at most one call per batch: nothing was retried
