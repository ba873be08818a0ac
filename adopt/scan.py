"""A parallel Scan of a live table: pages per segment, throttling retried with backoff, and
reads limited to a share of the table's read capacity (a live table keeps its users)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from seed.sync import THROTTLE_CODES, Backoff, RateLimiter
from tableforge.errors import TableforgeError

T = TypeVar("T")


def read_limiter(table: dict[str, Any], share: float) -> RateLimiter | None:
    """A share of a provisioned table's read capacity, or of an on-demand table's maximum."""
    mode = (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
    if mode == "PROVISIONED":
        capacity = float((table.get("ProvisionedThroughput") or {}).get("ReadCapacityUnits") or 0)
    else:
        capacity = float((table.get("OnDemandThroughput") or {}).get("MaxReadRequestUnits") or 0)
    return RateLimiter(max(capacity * share, 1.0)) if capacity > 0 else None


class Scanner:
    """Reads one table in ``total_segments`` segments; never writes."""

    def __init__(
        self,
        client: Any,
        table: str,
        *,
        total_segments: int,
        page_size: int,
        limiter: RateLimiter | None,
        backoff: Backoff | None = None,
    ) -> None:
        self.client = client
        self.table = table
        self.total_segments = total_segments
        self.page_size = page_size
        self.limiter = limiter
        self.backoff = backoff or Backoff()
        self._deserialize = TypeDeserializer().deserialize

    def pages(
        self, segment: int, start_key: dict[str, Any] | None = None
    ) -> Iterator[tuple[list[dict[str, Any]], Any]]:
        """(items, LastEvaluatedKey) per page of ``segment``; the last page's key is None."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "Segment": segment,
            "TotalSegments": self.total_segments,
            "Limit": self.page_size,
            "ReturnConsumedCapacity": "TOTAL",
        }
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        while True:
            page = self._scan(kwargs)
            if self.limiter:
                self.limiter.acquire(float((page.get("ConsumedCapacity") or {}).get("CapacityUnits") or 0))
            items = [{k: self._deserialize(v) for k, v in raw.items()} for raw in page.get("Items", [])]
            last = page.get("LastEvaluatedKey")
            yield items, last
            if not last:
                return
            kwargs["ExclusiveStartKey"] = last

    def _scan(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        for attempt in range(self.backoff.max_attempts):
            try:
                page: dict[str, Any] = self.client.scan(**kwargs)
                return page
            except ClientError as exc:
                if exc.response["Error"]["Code"] not in THROTTLE_CODES:
                    raise
            self.backoff.pause(attempt)
        raise TableforgeError(f"{self.table}: Scan still throttled after {self.backoff.max_attempts} attempts")


def each_segment(total: int, work: Callable[[int], T]) -> list[T]:
    """Run ``work(segment)`` for every segment in parallel; the first failure is raised."""
    with ThreadPoolExecutor(max_workers=total) as pool:
        return list(pool.map(work, range(total)))
