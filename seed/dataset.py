"""Which data set wrote an item: the value of its ``seeded_by`` marker.

A data set is a data folder. The project's own ``seed/data`` keeps the marker it has
always had, ``tableforge.seed``; any other folder marks its items
``tableforge.seed:<folder>`` (the path inside the checkout, else the absolute path).
``load --prune`` deletes only items carrying the marker of the folder being loaded,
so a load from another folder, or from a folder holding part of the data, never
deletes what a different data set wrote.

Migration: before data sets had names every load wrote ``tableforge.seed``, which
now means ``seed/data``. Items that another folder wrote then would be pruned by the
next ``load --prune`` of ``seed/data``; :func:`migrate` hands them back to their
folder (``tableforge seed migrate-markers --data DIR``).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from seed.datafiles import MARKER_ATTRIBUTE, MARKER_VALUE, Source, validate_sources

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path(__file__).resolve().parent / "data"
#: What every load wrote before data sets had names; now the marker of seed/data.
LEGACY_MARKER = MARKER_VALUE


def name(data_dir: Path) -> str:
    """The data set's name: its folder, relative to the checkout when inside it."""
    resolved = data_dir.resolve()
    try:
        return resolved.relative_to(ROOT).as_posix()
    except ValueError:
        return resolved.as_posix()


def marker(data_dir: Path) -> str:
    """The ``seeded_by`` value for items loaded from ``data_dir``."""
    if data_dir.resolve() == DEFAULT_DATA.resolve():
        return MARKER_VALUE
    return f"{MARKER_VALUE}:{name(data_dir)}"


def mark(sources: list[Source], value: str) -> None:
    """Make every data file of the load write ``value`` as its marker."""
    for source in sources:
        if not source.prune_only:
            source.extra = {**source.extra, MARKER_ATTRIBUTE: value}


@dataclass
class Migrated:
    name: str
    found: int = 0  # items with the old marker
    kept: int = 0  # ... whose key seed/data has: they stay seed/data's
    moved: int = 0  # ... re-marked as the folder's (or would be, with --dry-run)


def migrate(
    client: Any,
    sources: list[Source],
    default_sources: list[Source],
    *,
    table_name: Callable[[str, str], str],
    new_marker: str,
    dry_run: bool,
    workers: int,
) -> list[Migrated]:
    """For each table the folder has a data file for (``sources``), re-mark the items
    carrying the old marker as the folder's, except those whose key ``seed/data``
    (``default_sources``) has. Only the marker changes, and only where it still is
    the old one (a conditional update): the items themselves are left as they are."""
    ours = validate_sources(default_sources)
    default_keys: dict[tuple[str, str], set[tuple[Any, ...]]] = {}
    for number, source in enumerate(default_sources):
        default_keys.setdefault((source.system, source.table), set()).update(ours.keys.get(number, set()))
    serialize, deserialize = TypeSerializer().serialize, TypeDeserializer().deserialize
    out = []
    for source in sources:
        if source.skip_reason or source.prune_only:
            continue
        result = Migrated(table_name(source.system, source.table))
        key_names = [k.name for k in source.spec.key_attributes()]
        keep = default_keys.get((source.system, source.table), set())
        to_move = []
        for raw in _marked(client, result.name, key_names):
            result.found += 1
            key = {k: deserialize(raw[k]) for k in key_names}
            if tuple(key[k] for k in key_names) in keep:
                result.kept += 1
            else:
                to_move.append({k: serialize(v) for k, v in key.items()})
        if not dry_run and to_move:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                remark = partial(_remark, client, result.name, new_marker=new_marker)
                result.moved = sum(pool.map(remark, to_move))
        else:
            result.moved = len(to_move)
        out.append(result)
    return out


def _marked(client: Any, table: str, key_names: list[str]) -> Any:
    names = {f"#k{i}": k for i, k in enumerate(key_names)}
    kwargs: dict[str, Any] = {
        "TableName": table,
        "FilterExpression": "#m = :m",
        "ProjectionExpression": ", ".join(names),
        "ExpressionAttributeNames": {**names, "#m": MARKER_ATTRIBUTE},
        "ExpressionAttributeValues": {":m": {"S": LEGACY_MARKER}},
    }
    for page in client.get_paginator("scan").paginate(**kwargs):
        yield from page.get("Items", [])


def _remark(client: Any, table: str, key: dict[str, Any], new_marker: str) -> int:
    try:
        client.update_item(
            TableName=table,
            Key=key,
            UpdateExpression="SET #m = :new",
            ConditionExpression="#m = :old",
            ExpressionAttributeNames={"#m": MARKER_ATTRIBUTE},
            ExpressionAttributeValues={":new": {"S": new_marker}, ":old": {"S": LEGACY_MARKER}},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return 0  # rewritten meanwhile: no longer an old-marker item
        raise
    return 1
