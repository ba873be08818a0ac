"""The end of every migration: counts and a content hash of both sides.

The source is scanned again and every item mapped as the copy mapped it; the target is
read by those keys (BatchGetItem, consistent reads). The hash is a sum, modulo 2**256,
of each item's SHA-256 over a canonical form (typed, sorted, numbers normalized), so it
does not depend on the order segments finish. Equal hashes with equal counts mean every
source item is in the target and equal; the target may hold more (a merge).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from adopt.scan import Scanner, each_segment
from seed.sync import BATCH_GET_MAX, THROTTLE_CODES, Backoff
from tableforge.errors import TableforgeError

MODULUS = 2**256
#: How many differing or missing keys the result lists.
SAMPLES = 10


@dataclass
class Verification:
    source_items: int = 0
    target_found: int = 0
    missing: int = 0
    different: int = 0
    source_hash: int = 0
    target_hash: int = 0
    #: Every item in the target table (a merged target holds more than the source).
    target_total: int = 0
    samples: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.missing == 0 and self.different == 0 and self.source_hash == self.target_hash

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["source_hash"] = f"{self.source_hash:064x}"
        out["target_hash"] = f"{self.target_hash:064x}"
        out["ok"] = self.ok
        return out


def digest(item: dict[str, Any]) -> int:
    text = json.dumps(_canonical(item), sort_keys=True, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")


def _canonical(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return ["BOOL" if value is not None else "NULL", value]
    if isinstance(value, str):
        return ["S", value]
    if isinstance(value, (int, Decimal)):
        return ["N", str(Decimal(value).normalize())]
    if isinstance(value, dict):
        return ["M", {k: _canonical(v) for k, v in value.items()}]
    if isinstance(value, list):
        return ["L", [_canonical(v) for v in value]]
    if isinstance(value, (set, frozenset)):
        return ["SET", sorted(json.dumps(_canonical(v), sort_keys=True) for v in value)]
    raw = getattr(value, "value", value)  # boto3 Binary
    return ["B", base64.b64encode(bytes(raw)).decode()]


class Verifier:
    def __init__(
        self,
        client: Any,
        scanner: Scanner,
        *,
        target: str,
        key_names: list[str],
        transform: Callable[[dict[str, Any]], dict[str, Any]],
        backoff: Backoff | None = None,
    ) -> None:
        self.client, self.scanner, self.target = client, scanner, target
        self.key_names, self.transform = key_names, transform
        self.backoff = backoff or Backoff()
        self._serialize = TypeSerializer().serialize
        self._deserialize = TypeDeserializer().deserialize
        self._lock = threading.Lock()

    def run(self) -> Verification:
        result = Verification()
        each_segment(self.scanner.total_segments, lambda n: self._segment(n, result))
        result.target_total = self._count()
        return result

    def _segment(self, number: int, result: Verification) -> None:
        for items, _last in self.scanner.pages(number):
            mapped = [self.transform(item) for item in items]
            found = self._get(mapped)
            with self._lock:
                for item in mapped:
                    self._compare(item, found.get(self._key(item)), result)

    def _compare(self, item: dict[str, Any], target: dict[str, Any] | None, result: Verification) -> None:
        result.source_items += 1
        result.source_hash = (result.source_hash + digest(item)) % MODULUS
        if target is None:
            result.missing += 1
        else:
            result.target_found += 1
            result.target_hash = (result.target_hash + digest(target)) % MODULUS
            if _canonical(target) != _canonical(item):
                result.different += 1
        if (target is None or _canonical(target) != _canonical(item)) and len(result.samples) < SAMPLES:
            label = " ".join(f"{k}={item.get(k)!r}" for k in self.key_names)
            result.samples.append(f"{'missing' if target is None else 'different'}: {label}")

    def _key(self, item: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(json.dumps(_canonical(item.get(k))) for k in self.key_names)

    def _get(self, items: list[dict[str, Any]]) -> dict[tuple[Any, ...], dict[str, Any]]:
        found: dict[tuple[Any, ...], dict[str, Any]] = {}
        for start in range(0, len(items), BATCH_GET_MAX):
            keys = [{k: self._serialize(i[k]) for k in self.key_names} for i in items[start : start + BATCH_GET_MAX]]
            for raw in self._batch_get(keys):
                item = {k: self._deserialize(v) for k, v in raw.items()}
                found[self._key(item)] = item
        return found

    def _batch_get(self, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        request: dict[str, Any] = {self.target: {"Keys": keys, "ConsistentRead": True}}
        out: list[dict[str, Any]] = []
        for attempt in range(self.backoff.max_attempts):
            try:
                response = self.client.batch_get_item(RequestItems=request)
            except ClientError as exc:
                if exc.response["Error"]["Code"] not in THROTTLE_CODES:
                    raise
                self.backoff.pause(attempt)
                continue
            out.extend(response.get("Responses", {}).get(self.target, []))
            request = response.get("UnprocessedKeys") or {}
            if not request:
                return out
            self.backoff.pause(attempt)
        raise TableforgeError(f"{self.target}: BatchGetItem still throttled after {self.backoff.max_attempts} attempts")

    def _count(self) -> int:
        total, kwargs = 0, {"TableName": self.target, "Select": "COUNT"}
        while True:
            page = self.client.scan(**kwargs)
            total += int(page.get("Count", 0))
            if "LastEvaluatedKey" not in page:
                return total
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
