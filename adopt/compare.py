"""A live table against the synthesized template: what an import leaves to the deploys.

CloudFormation records an imported resource as the import template describes it and
changes the real table only when a later update changes the template, so the import
template describes the live table as it is (see :mod:`adopt.templates`) and the deploys
after it make every difference listed here. Templates are read only through
:class:`tableforge.model.TableModel`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from adopt.live import LiveState
from tableforge.model import Replica, TableModel

SAFE, RISKY = "safe", "risky"


@dataclass(frozen=True)
class Change:
    """One difference the deploys after an import make."""

    #: A stable code: ``gsi-created``, ``pitr-enabled``, ``billing-switched``, ...
    change: str
    detail: str
    risk: str
    #: The deploy after the import that makes it: 1 = the first. CloudFormation creates
    #: at most one GSI per table per update, so GSI creations get 2, 3, ...
    deploy: int = 1

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def key_mismatch(model: TableModel, live: LiveState) -> str | None:
    """How the live primary key (names and types) differs from the template's, or None."""
    for kind, label in (("HASH", "partition key"), ("RANGE", "sort key")):
        want, have = model.keys.get(kind), live.keys.get(kind)
        if want is None and have is None:
            continue
        if want is None or have is None or (want.name, want.type) != (have.name, have.type):
            return (
                f"{label} differs: live {have or 'none'}, catalog {want or 'none'} "
                f"(live keys {live.key_schema()}; catalog keys {', '.join(str(k) for k in model.keys.values())})"
            )
    if set(live.lsis) != {i.name for i in model.lsis}:
        return f"local secondary indexes differ (live {sorted(live.lsis)}); LSIs exist only from CreateTable"
    return None


def gsi_conflicts(model: TableModel, live: LiveState) -> list[str]:
    """Live GSIs a deploy could not keep: unknown to the catalog, or defined differently."""
    declared = {g.name: g for g in model.gsis}
    problems = []
    for name, index in live.gsis.items():
        gsi = declared.get(name)
        if gsi is None:
            problems.append(f"live GSI '{name}' is not in the catalog (a deploy would delete it)")
            continue
        want = {k: (key.name, key.type) for k, key in gsi.keys.items()}
        have = {k: (key.name, key.type) for k, key in index.keys.items()}
        if want != have or gsi.projection_type != index.projection_type:
            problems.append(f"live GSI '{name}' has other keys or projection than the catalog's")
    return problems


def new_gsis(model: TableModel, live: LiveState) -> list[str]:
    """The template's GSIs the live table lacks, in template order."""
    return [g.name for g in model.gsis if g.name not in live.gsis]


def import_changes(model: TableModel, live: LiveState) -> list[Change]:
    """Everything the deploys after the import change on the live table, marked safe or risky."""
    primary = model.primary
    changes: list[Change] = []
    for check in (_billing, _capacity, _ttl, _stream, _sse):
        changes.extend(check(model, live))
    if primary is not None:
        for replica_check in (_pitr, _deletion_protection, _table_class, _tags):
            changes.extend(replica_check(primary, live))
    for number, name in enumerate(new_gsis(model, live), start=2):
        changes.append(
            Change(
                "gsi-created",
                f"GSI {name}: backfills online, queryable once ACTIVE; its writes are billed from then on",
                SAFE,
                number,
            )
        )
    if model.deletion_policy != "Retain":
        changes.append(
            Change(
                "deletion-policy",
                f"DeletionPolicy {model.deletion_policy}: deleting the stack deletes the table",
                RISKY,
                0,
            )
        )
    return changes


def _billing(model: TableModel, live: LiveState) -> list[Change]:
    if str(model.billing_mode) == live.billing_mode:
        return []
    return [
        Change(
            "billing-switched",
            f"billing {live.billing_mode} -> {model.billing_mode} (AWS limits switches per table per 24 h)",
            RISKY,
        )
    ]


def _capacity(model: TableModel, live: LiveState) -> list[Change]:
    out = []
    if model.provisioned and live.billing_mode == "PROVISIONED" and model.write is not None:
        write = model.write
        out.append(
            Change("capacity", f"write {live.write} -> autoscaled {write.min}-{write.max} at {write.target}%", SAFE)
        )
    if model.on_demand:
        want = tuple(
            None if w is None else str(w) for w in (model.max_read_request_units, model.max_write_request_units)
        )
        have = tuple(None if h is None else str(h) for h in (live.max_read_request_units, live.max_write_request_units))
        if want != have:
            out.append(Change("on-demand-max", f"max read/write request units {have} -> {want}", SAFE))
    return out


def _ttl(model: TableModel, live: LiveState) -> list[Change]:
    if "ttl" in live.unknown:
        return [Change("ttl-unknown", f"TTL cannot be compared: {live.unknown['ttl']}", RISKY)]
    want, have = model.ttl_attribute, live.ttl_attribute
    if want == have:
        return []
    if have is None:
        detail = f"TTL enabled on {want}: DynamoDB starts deleting items whose {want} is in the past"
        return [Change("ttl-enabled", detail, RISKY)]
    if want is None:
        return [Change("ttl-disabled", f"TTL on {have} disabled: expired items stay", RISKY)]
    return [Change("ttl-changed", f"TTL attribute {have} -> {want}", RISKY)]


def _stream(model: TableModel, live: LiveState) -> list[Change]:
    want, have = model.stream_view_type, live.stream_view_type
    if want == have:
        return []
    if have is None:
        return [Change("stream-enabled", f"stream {want} enabled", SAFE)]
    risk = RISKY  # readers of the old stream lose it, or see other images
    return [Change("stream-changed", f"stream {have} -> {want or 'disabled'}", risk)]


def _sse(model: TableModel, live: LiveState) -> list[Change]:
    primary = model.primary
    want_key = (primary.kms_key if primary else None) or model.sse.kms_key
    want = model.sse.kind
    if want == live.sse and (want == "aws_owned" or want_key is None):
        if want == "kms" and live.kms_key_arn:
            detail = f"live key {live.kms_key_arn} is kept if it is aws/dynamodb, replaced if customer managed"
            return [Change("sse-key", detail, SAFE)]
        return []
    detail = f"encryption {live.sse} -> {want}" + (f" (key {want_key})" if want_key else " (AWS managed key)")
    # A customer managed key needs kms:Decrypt for every reader; AWS's keys need nothing.
    return [Change("sse-changed", detail, RISKY if want_key else SAFE)]


def _pitr(replica: Replica, live: LiveState) -> list[Change]:
    if live.pitr is None:
        reason = live.unknown.get("pitr", "unknown")
        return [
            Change("pitr-unknown", f"PITR cannot be compared ({reason}); the deploy sets it to {replica.pitr}", RISKY)
        ]
    if replica.pitr and not live.pitr:
        return [Change("pitr-enabled", f"PITR enabled ({replica.pitr_days} days)", SAFE)]
    if live.pitr and not replica.pitr:
        return [Change("pitr-disabled", "PITR disabled: no point-in-time restore", RISKY)]
    if replica.pitr and live.pitr_days is not None and str(replica.pitr_days) != str(live.pitr_days):
        shorter = int(str(replica.pitr_days)) < live.pitr_days
        return [
            Change(
                "pitr-window", f"PITR window {live.pitr_days} -> {replica.pitr_days} days", RISKY if shorter else SAFE
            )
        ]
    return []


def _deletion_protection(replica: Replica, live: LiveState) -> list[Change]:
    if replica.deletion_protection == live.deletion_protection:
        return []
    if replica.deletion_protection:
        return [Change("deletion-protection-enabled", "deletion protection enabled", SAFE)]
    return [Change("deletion-protection-disabled", "deletion protection disabled", RISKY)]


def _table_class(replica: Replica, live: LiveState) -> list[Change]:
    if replica.table_class == live.table_class:
        return []
    return [
        Change("table-class", f"table class {live.table_class} -> {replica.table_class} (2 changes per 30 days)", RISKY)
    ]


def _tags(replica: Replica, live: LiveState) -> list[Change]:
    if live.tags is None:
        reason = live.unknown.get("tags", "unknown")
        return [
            Change("tags-unknown", f"tags cannot be compared ({reason}); the deploy sets {_fmt(replica.tags)}", SAFE)
        ]
    have = {k: v for k, v in live.tags.items() if not k.startswith("aws:")}
    want = {k: v for k, v in replica.tags.items()}
    if have == want:
        return []
    added = {k: v for k, v in want.items() if have.get(k) != v}
    removed = sorted(set(have) - set(want))
    detail = f"tags set {_fmt(added)}" + (f", removed {removed}" if removed else "")
    return [Change("tags", detail, SAFE)]


def _fmt(tags: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}={v}" for k, v in sorted(tags.items())) + "}"
