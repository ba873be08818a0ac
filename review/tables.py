"""Why a DynamoDB change loses data, or risks it: the table rules.

Both table types are first brought into one canonical shape (GSIs, LSIs,
replicas and tags keyed by name, key attributes with their types, CloudFormation
defaults filled in), so that only real differences remain and each rule reads one
field. The shape is built from the read model (:mod:`tableforge.model`), which has
already normalized Table and GlobalTable; the rules below stay here. Whatever no
rule claims is reported as a safe in-place change.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tableforge.model import ENCRYPTION_LEVELS, Index, Intrinsic, Key, Number, Replica, TableModel

#: DeletionPolicy/UpdateReplacePolicy values that keep the table when CloudFormation lets go of it.
RETAINING = ("Retain", "RetainExceptOnCreate", "Snapshot")
#: A plain AWS::DynamoDB::Table keeps its per-replica settings here.
TABLE_REGION = "(table)"
#: A GlobalTable replica whose region is not a literal (``{"Ref": "AWS::Region"}``).
STACK_REGION = "(stack region)"


def _declared(value: Any) -> Any:
    """A model value back in its declared (JSON) form, for comparison and for the reasons."""
    if isinstance(value, Intrinsic):
        return value.value
    if isinstance(value, Decimal):
        # 35 stays 35 and 35.0 stays 35.0, as in the template.
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent == 0 else float(value)
    return value


def _key_schema(keys: dict[str, Key]) -> dict[str, str]:
    return {kind: str(key) for kind, key in keys.items()}


def _index(index: Index) -> dict[str, Any]:
    return {**index.other, "KeySchema": _key_schema(index.keys), "Projection": index.projection}


def where(region: str) -> str:
    """`` in us-east-1`` for a replica; nothing for a plain Table's own settings."""
    return "" if region == TABLE_REGION else f" in {region}"


def _region(replica: Replica) -> str:
    if replica.table_level:
        return TABLE_REGION
    return replica.region if replica.region is not None else STACK_REGION


def _replica(replica: Replica) -> dict[str, Any]:
    return {
        **replica.other,
        "PointInTimeRecovery": replica.pitr,
        "PointInTimeRecoveryDays": _declared(replica.pitr_days),
        "DeletionProtection": replica.deletion_protection,
        "Tags": dict(replica.tags),
        # A plain Table's GSIs have no per-replica settings: they are the table's own.
        "GlobalSecondaryIndexes": {} if replica.table_level else dict(replica.index_settings),
    }


def canonical(table: TableModel) -> dict[str, Any]:
    """One shape for GlobalTable and Table, defaults filled in."""
    return {
        "Type": table.type,
        "DeletionPolicy": table.deletion_policy,
        "UpdateReplacePolicy": table.update_replace_policy,
        "TableName": _declared(table.table_name),
        "KeySchema": _key_schema(table.keys),
        "BillingMode": _declared(table.billing_mode),
        "TimeToLive": table.ttl_attribute,
        "GlobalSecondaryIndexes": {g.name: _index(g) for g in table.gsis},
        "LocalSecondaryIndexes": {i.name: _index(i) for i in table.lsis},
        "Replicas": {_region(r): _replica(r) for r in table.replicas},
        # Every other table property as declared: what the typed fields above leave out.
        "Other": {**table.other, **table.declared},
    }


def leaves(value: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Flatten nested dicts into path -> leaf (lists and scalars are leaves)."""
    if isinstance(value, dict) and value:
        out: dict[tuple[str, ...], Any] = {}
        for key, sub in value.items():
            out.update(leaves(sub, (*path, str(key))))
        return out
    return {path: value}


def changed_paths(base: Any, head: Any) -> set[tuple[str, ...]]:
    b, h = leaves(base), leaves(head)
    return {p for p in set(b) | set(h) if json.dumps(b.get(p), sort_keys=True) != json.dumps(h.get(p), sort_keys=True)}


@dataclass
class Hit:
    """A rule's result before it is attached to a stack: level, code, reason."""

    level: str
    change: str
    reason: str
    detail: dict[str, Any] | None = None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _shorter(after: Any, before: Any) -> bool:
    """A recovery window shorter than before; one an intrinsic decides counts as shorter (fail safe)."""
    if after is None or before is None:
        return False
    if not (_is_number(after) and _is_number(before)):
        return bool(after != before)
    return bool(after < before)


def _name(canon: dict[str, Any]) -> str:
    name = canon.get("TableName")
    return name if isinstance(name, str) else "(generated name)"


def _fmt_keys(keys: dict[str, str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(keys.items())) or "none"


def _replacement_tail(base: dict[str, Any], head: dict[str, Any]) -> str:
    fate = (
        "orphans the old one (DeletionPolicy Retain keeps the items in an unmanaged table the app no longer uses)"
        if base["UpdateReplacePolicy"] in RETAINING
        else "deletes the old one with every item"
    )
    tail = f"CloudFormation replaces the table: it creates a new, empty table and {fate}; no item is copied"
    if isinstance(base.get("TableName"), str) and base.get("TableName") == head.get("TableName"):
        tail += (
            f". With the fixed name {base['TableName']} CloudFormation refuses to replace a custom-named "
            "resource, so the deploy fails until the name changes too - and then the data is left behind"
        )
    return tail


def _no_readers(table: str) -> list[str]:
    return []


def _units(value: Number | None) -> Decimal | None | Intrinsic:
    """An on-demand maximum: None when there is none (absent, or -1, DynamoDB's "remove the maximum")."""
    if value is None or (isinstance(value, Decimal) and value == -1):
        return None
    return value


_ENCRYPTION_NAMES = {
    "aws_owned": "the AWS owned key (not in this account)",
    "aws_managed": "the AWS managed KMS key aws/dynamodb",
    "customer_managed": "a customer managed KMS key",
    "unknown": "a key chosen by an intrinsic the review cannot resolve",
}


def _kinesis_arn(canon: dict[str, Any], path: tuple[str, ...]) -> str | None:
    """The Kinesis stream a table (or replica) streams item changes to, as declared; None when none."""
    node: Any = canon
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    spec = node.get("KinesisStreamSpecification") if isinstance(node, dict) else None
    if not spec:
        return None
    arn = spec.get("StreamArn") if isinstance(spec, dict) else spec
    return arn if isinstance(arn, str) else json.dumps(arn, sort_keys=True)


def _kms_keys(table: TableModel) -> str:
    """Every KMS key the table names (its own, its replicas'), comparable."""
    return json.dumps([table.sse.kms_key, *(replica.kms_key for replica in table.replicas)], sort_keys=True)


class TableDiff:
    """Compare one table's base and head resource; collect hits and the paths they explain."""

    def __init__(
        self,
        base: TableModel,
        head: TableModel,
        index_readers: Callable[[str, str], list[str]],
        base_index_readers: Callable[[str, str], list[str]],
        stream_readers: Callable[[str], list[str]] = _no_readers,
        base_stream_readers: Callable[[str], list[str]] = _no_readers,
    ) -> None:
        self.base_model, self.head_model = base, head
        self.stream_readers, self.base_stream_readers = stream_readers, base_stream_readers
        self.base, self.head = canonical(base), canonical(head)
        self.paths = changed_paths(self.base, self.head)
        self.claimed: set[tuple[str, ...]] = set()
        self.hits: list[Hit] = []
        self.index_readers = index_readers
        self.base_index_readers = base_index_readers

    def _claim(self, *prefix: str, contains: str | None = None) -> bool:
        matched = {
            p for p in self.paths if p[: len(prefix)] == prefix and (contains is None or contains in "/".join(p))
        }
        if matched and contains is None:
            # An emptied container (the last GSI, the last "other" property) is a leaf of its own.
            matched |= {p for p in self.paths if len(p) < len(prefix) and prefix[: len(p)] == p}
        self.claimed |= matched
        return bool(matched)

    def _claim_replica_index(self, name: str) -> None:
        """The per-replica settings of index ``name`` (Replicas/<region>/GlobalSecondaryIndexes/<name>/...)."""
        self.claimed |= {
            p
            for p in self.paths
            if len(p) >= 4 and p[0] == "Replicas" and p[2] == "GlobalSecondaryIndexes" and p[3] == name
        }

    def hit(self, level: str, change: str, reason: str, **detail: Any) -> None:
        self.hits.append(Hit(level, change, reason, detail or None))

    def run(self) -> list[Hit]:
        if self.base["Type"] != self.head["Type"]:
            self.hit(
                "destructive",
                "resource-type-changed",
                f"resource type {self.base['Type']} -> {self.head['Type']}: CloudFormation cannot change a "
                "resource's type in place, so the table is deleted and created anew (or the deploy fails); "
                "the new table starts empty and the items of the old one are not carried over",
            )
            return self.hits
        for rule in (
            self._key_schema,
            self._lsis,
            self._table_name,
            self._policies,
            self._replicas,
            self._billing,
            self._on_demand_max,
            self._encryption,
            self._stream,
            self._kinesis,
            self._ttl,
            self._gsis,
            self._rest,
        ):
            rule()
        return self.hits

    # --- destructive ---------------------------------------------------------------
    def _key_schema(self) -> None:
        if self._claim("KeySchema"):
            self.hit(
                "destructive",
                "key-schema-changed",
                f"key schema [{_fmt_keys(self.base['KeySchema'])}] -> [{_fmt_keys(self.head['KeySchema'])}]: "
                "DynamoDB cannot change a table's primary key. " + _replacement_tail(self.base, self.head),
            )

    def _lsis(self) -> None:
        if self._claim("LocalSecondaryIndexes"):
            before, after = sorted(self.base["LocalSecondaryIndexes"]), sorted(self.head["LocalSecondaryIndexes"])
            self.hit(
                "destructive",
                "lsi-changed",
                f"local secondary indexes {before or 'none'} -> {after or 'none'} (or their keys/projection): "
                "LSIs exist only from a table's creation, so changing them replaces the table. "
                + _replacement_tail(self.base, self.head),
            )

    def _table_name(self) -> None:
        if self._claim("TableName"):
            fate = (
                "orphans the old table (Retain)"
                if self.base["UpdateReplacePolicy"] in RETAINING
                else "deletes the old table with every item"
            )
            self.hit(
                "destructive",
                "physical-name-changed",
                f"table name {self.base['TableName']} -> {self.head['TableName']}: DynamoDB cannot rename a "
                f"table, so CloudFormation creates a new, empty {self.head['TableName']} and {fate}; "
                "consumers of the new name see none of the old items",
            )

    # --- risky -------------------------------------------------------------------
    def _policies(self) -> None:
        for policy, consequence in (
            (
                "DeletionPolicy",
                "removing the table from the app or deleting its stack now deletes the table and its items",
            ),
            ("UpdateReplacePolicy", "a replacement now deletes the old table instead of keeping it"),
        ):
            if self._claim(policy) and self.base[policy] in RETAINING and self.head[policy] not in RETAINING:
                self.hit(
                    "risky",
                    "removal-policy-not-retained",
                    f"{policy} {self.base[policy]} -> {self.head[policy]}: {consequence}",
                )

    def _replicas(self) -> None:
        base, head = self.base["Replicas"], self.head["Replicas"]
        for region in sorted(set(base) - set(head)):
            self._claim("Replicas", region)
            self.hit(
                "risky",
                "replica-removed",
                f"replica{where(region)} removed: CloudFormation deletes that region's replica table with its "
                "copy of the items (the other regions keep theirs) and reads there stop working",
            )
        for region in sorted(set(head) - set(base)):
            self._claim("Replicas", region)
            self.hit(
                "safe",
                "replica-added",
                f"replica{where(region)} added: created and backfilled online; every write is replicated "
                "there, so write and storage cost rise",
            )
        for region in sorted(set(base) & set(head)):
            b, h = base[region], head[region]
            pitr_days_changed = self._claim("Replicas", region, "PointInTimeRecoveryDays")
            if self._claim("Replicas", region, "PointInTimeRecovery") or pitr_days_changed:
                if b["PointInTimeRecovery"] and not h["PointInTimeRecovery"]:
                    self.hit(
                        "risky",
                        "pitr-disabled",
                        f"point-in-time recovery switched off{where(region)}: DynamoDB drops the continuous "
                        f"backups, so the table can no longer be restored to any second of the last "
                        f"{b['PointInTimeRecoveryDays']} days (e.g. after a bad write or delete)",
                    )
                elif h["PointInTimeRecovery"] and _shorter(h["PointInTimeRecoveryDays"], b["PointInTimeRecoveryDays"]):
                    self.hit(
                        "risky",
                        "pitr-window-shortened",
                        f"point-in-time recovery window{where(region)} {b['PointInTimeRecoveryDays']} -> "
                        f"{h['PointInTimeRecoveryDays']} days: older restore points are gone"
                        + ("" if _is_number(h["PointInTimeRecoveryDays"]) else " (or may be: an intrinsic decides)"),
                    )
                else:
                    self.hit(
                        "safe",
                        "pitr-changed",
                        f"point-in-time recovery{where(region)} now {'on' if h['PointInTimeRecovery'] else 'off'}"
                        f" ({h['PointInTimeRecoveryDays'] or 0} days): backup storage cost changes",
                    )
            if self._claim("Replicas", region, "DeletionProtection"):
                if b["DeletionProtection"] and not h["DeletionProtection"]:
                    self.hit(
                        "risky",
                        "deletion-protection-disabled",
                        f"deletion protection switched off{where(region)}: a DeleteTable call, a stack "
                        "deletion or a change that removes the table now succeeds instead of being refused",
                    )
                else:
                    self.hit(
                        "safe",
                        "deletion-protection-enabled",
                        f"deletion protection switched on{where(region)}: deleting the table is refused",
                    )

    def _billing(self) -> None:
        if not self._claim("BillingMode"):
            return
        before, after = self.base["BillingMode"], self.head["BillingMode"]
        # Capacity settings necessarily change with the mode; this finding explains them.
        self._claim("Other", contains="Throughput")
        self._claim("Replicas", contains="Throughput")
        self._claim("GlobalSecondaryIndexes", contains="Throughput")
        if after == "PAY_PER_REQUEST":
            why = (
                "AWS allows a table at most four switches from provisioned to on-demand in a rolling 24 hours, "
                "so repeated flips or a quick revert-and-retry can be refused; autoscaling stops applying and "
                "cost now follows requests"
            )
        else:
            why = (
                "the table is throttled above its provisioned capacity from now on, and switching back to "
                "on-demand counts against AWS's limit of four provisioned-to-on-demand switches per table "
                "per rolling 24 hours"
            )
        self.hit("risky", "billing-mode-changed", f"billing mode {before} -> {after}: {why}")

    def _on_demand_max(self) -> None:
        """The on-demand maximums (a cost guard per stage): lowered or newly set throttles requests
        above it; removed drops the guard; raised is safe."""
        if self.base["BillingMode"] != self.head["BillingMode"]:
            return  # the billing switch explains every capacity setting
        self._claim("Other", "WriteOnDemandThroughputSettings")
        self._claim("Other", "OnDemandThroughput")
        b, h = self.base_model, self.head_model
        scopes: list[tuple[str, str, Number | None, Number | None]] = [
            ("table", "write", b.max_write_request_units, h.max_write_request_units)
        ]
        head_gsis = {g.name: g for g in h.gsis}
        for gsi in b.gsis:
            if gsi.name in head_gsis:
                self._claim("GlobalSecondaryIndexes", gsi.name, "WriteOnDemandThroughputSettings")
                self._claim("GlobalSecondaryIndexes", gsi.name, "OnDemandThroughput")
                scopes.append(
                    (
                        f"GSI {gsi.name}",
                        "write",
                        gsi.max_write_request_units,
                        head_gsis[gsi.name].max_write_request_units,
                    )
                )
        head_replicas = {_region(r): r for r in h.replicas}
        for replica in b.replicas:
            region = _region(replica)
            other = head_replicas.get(region)
            if other is None:
                continue
            self._claim("Replicas", region, "ReadOnDemandThroughputSettings")
            scopes.append(
                (f"table{where(region)}", "read", replica.max_read_request_units, other.max_read_request_units)
            )
            for name in sorted(set(replica.index_settings) | set(replica.index_max_reads)):
                if name not in head_gsis:
                    continue
                self._claim("Replicas", region, "GlobalSecondaryIndexes", name, "ReadOnDemandThroughputSettings")
                scopes.append(
                    (
                        f"GSI {name}{where(region)}",
                        "read",
                        replica.index_max_reads.get(name),
                        other.index_max_reads.get(name),
                    )
                )
        for scope, kind, before_value, after_value in scopes:
            before, after = _units(before_value), _units(after_value)
            if before == after:
                continue
            label = f"on-demand maximum {kind} request units of the {scope}"
            if after is None:
                self.hit(
                    "risky",
                    "on-demand-max-removed",
                    f"{label} {_declared(before)} -> none: the stage's cost guard is gone; on-demand "
                    f"{kind}s are no longer capped, so a runaway client or a hot loop is billed without limit",
                )
            elif isinstance(after, Decimal) and (before is None or (isinstance(before, Decimal) and after < before)):
                self.hit(
                    "risky",
                    "on-demand-max-lowered",
                    f"{label} {_declared(before) if before is not None else 'none'} -> {_declared(after)}: DynamoDB "
                    f"throttles {kind} requests above {_declared(after)} units per second (ThrottlingException), "
                    "so traffic that fits today can be refused",
                )
            elif isinstance(after, Decimal) and isinstance(before, Decimal):
                self.hit(
                    "safe",
                    "on-demand-max-raised",
                    f"{label} {_declared(before)} -> {_declared(after)}: more headroom; the most a month "
                    "can cost rises with it",
                )
            else:
                self.hit(
                    "risky",
                    "on-demand-max-lowered",
                    f"{label} {_declared(before)} -> {_declared(after)}: an intrinsic decides the cap, so the "
                    "review cannot tell whether requests will be throttled",
                )

    def _encryption(self) -> None:
        """Encryption at rest: a weaker key than before is risky, a stronger or another one safe."""
        if not (self._claim("Other", "SSESpecification") | self._claim("Replicas", contains="SSESpecification")):
            return
        before, after = self.base_model.encryption, self.head_model.encryption
        what = f"encryption at rest {_ENCRYPTION_NAMES[before]} -> {_ENCRYPTION_NAMES[after]}"
        if before == after:
            same_key = _kms_keys(self.base_model) == _kms_keys(self.head_model)
            self.hit(
                "safe",
                "encryption-changed" if same_key else "encryption-key-changed",
                f"encryption at rest stays on {_ENCRYPTION_NAMES[after]}; its declaration changes in place"
                if same_key
                else f"{what} (another key): DynamoDB re-encrypts the table online; keep the old key enabled "
                "until the update completes",
            )
        elif after == "unknown" or (
            before != "unknown" and ENCRYPTION_LEVELS.index(after) < ENCRYPTION_LEVELS.index(before)
        ):
            lost = (
                "its key no longer lives in this account: its use no longer shows in CloudTrail, and access "
                "can no longer be limited or revoked through a key policy"
                if after == "aws_owned"
                else "the key's policy, rotation and the ability to disable it (cutting off every reader at "
                "once) are no longer this account's to control"
                if after == "aws_managed"
                else "the review cannot tell whether the table stays on a KMS key"
            )
            self.hit(
                "risky",
                "encryption-downgraded",
                f"{what}: DynamoDB re-encrypts the table in place and it stays readable, but {lost} "
                "(staging and prod require a KMS key)",
            )
        else:
            self.hit(
                "safe",
                "encryption-changed",
                f"{what}: DynamoDB re-encrypts the table online; KMS requests are billed from now on",
            )

    def _stream(self) -> None:
        """The DynamoDB stream: removing it, or changing its view type (a new stream), cuts off its readers."""
        if not self._claim("Other", "StreamSpecification"):
            return
        before, after = self.base_model.stream_view_type, self.head_model.stream_view_type
        table = _name(self.base)
        readers = self.stream_readers(table)
        had = [r for r in self.base_stream_readers(table) if r not in readers]
        multi = self.base_model.is_global_table and len(self.base_model.replicas) > 1
        fails = (
            "; CloudFormation allows changing a global table's stream only while it has one replica, so "
            "this deploy fails"
            if multi
            else ""
        )
        who = (
            f" {', '.join(readers)} read it (IAM grants on {table}/stream/* or an event source mapping)"
            if readers
            else ""
        )
        if after is None:
            if readers or multi:
                self.hit(
                    "risky",
                    "stream-removed-in-use" if readers else "stream-removed",
                    f"stream ({before}) removed while{who or ' replication needs it'}: DynamoDB disables the "
                    "stream, so its consumers receive no more item changes, and its records stay readable "
                    f"for 24 hours only{fails}",
                    consumers=readers,
                )
            else:
                note = (
                    f"; the readers {', '.join(had)} are removed in this change too"
                    if had
                    else "; nothing in the head reads it (no IAM grant or event source mapping)"
                )
                self.hit("safe", "stream-removed", f"stream ({before}) removed{note}")
        elif before is None:
            self.hit("safe", "stream-enabled", f"stream ({after}) enabled: reads of the stream are billed per request")
        else:
            level = "risky" if readers or multi else "safe"
            self.hit(
                level,
                "stream-view-type-changed",
                f"stream view type {before} -> {after}: DynamoDB cannot change an enabled stream's view type, so "
                "the stream is disabled and a new one (with a new stream ARN) created; consumers of the old ARN "
                f"receive no more records{' -' + who if readers else ''}{fails}",
                consumers=readers,
            )

    def _kinesis(self) -> None:
        """Change data capture into a Kinesis data stream: its consumers lose the feed when it stops."""
        for region in sorted(set(self.base["Replicas"]) & set(self.head["Replicas"])):
            # A plain Table declares it once, as a table property; a GlobalTable per replica.
            path = ("Other",) if region == TABLE_REGION else ("Replicas", region)
            if not self._claim(*path, "KinesisStreamSpecification"):
                continue
            before, after = (_kinesis_arn(side, path) for side in (self.base, self.head))
            if before is not None and after is None:
                self.hit(
                    "risky",
                    "kinesis-stream-removed",
                    f"Kinesis data stream destination{where(region)} removed: DynamoDB stops sending item "
                    f"changes to {before}, so whatever consumes that stream receives nothing new",
                )
            elif before is not None and after is not None and before != after:
                self.hit(
                    "risky",
                    "kinesis-stream-changed",
                    f"Kinesis data stream destination{where(region)} {before} -> {after}: item changes go to the "
                    f"new stream; consumers of {before} receive nothing new",
                )
            else:
                self.hit(
                    "safe",
                    "kinesis-stream-changed",
                    f"Kinesis data stream destination{where(region)} {'added' if before is None else 'changed'}",
                )

    def _ttl(self) -> None:
        if not self._claim("TimeToLive"):
            return
        before, after = self.base["TimeToLive"], self.head["TimeToLive"]
        if after is None:
            self.hit(
                "risky",
                "ttl-removed",
                f"TTL on '{before}' switched off: expired items are no longer deleted, so stale data stays "
                "readable and the table grows; DynamoDB allows re-enabling TTL only about an hour later",
            )
        elif before is None:
            self.hit(
                "risky",
                "ttl-enabled",
                f"TTL switched on for '{after}': DynamoDB starts deleting every item whose '{after}' is a "
                "past epoch time - check that no live item carries that attribute",
            )
        else:
            self.hit(
                "risky",
                "ttl-changed",
                f"TTL attribute '{before}' -> '{after}': items that only have '{before}' never expire again, "
                f"items whose '{after}' is in the past are deleted, and CloudFormation must disable and "
                "re-enable TTL, which DynamoDB allows only once per hour",
            )

    def _gsis(self) -> None:
        base, head = self.base["GlobalSecondaryIndexes"], self.head["GlobalSecondaryIndexes"]
        table = _name(self.head)
        removed, added = sorted(set(base) - set(head)), sorted(set(head) - set(base))
        rebuilt = sorted(
            n
            for n in set(base) & set(head)
            if (base[n]["KeySchema"], base[n]["Projection"]) != (head[n]["KeySchema"], head[n]["Projection"])
        )
        for name in removed:
            self._claim("GlobalSecondaryIndexes", name)
            self._claim_replica_index(name)
            readers = self.index_readers(_name(self.base), name)
            if readers:
                self.hit(
                    "risky",
                    "gsi-removed-in-use",
                    f"GSI {name} removed while {', '.join(readers)} may still query it (its IAM grant covers "
                    f"{_name(self.base)}/index/{name}): those Query calls fail with ValidationException once "
                    "the index is deleted",
                    index=name,
                    consumers=readers,
                )
            else:
                had = self.base_index_readers(_name(self.base), name)
                note = (
                    f"; the grants of {', '.join(had)} on it are removed in this change too"
                    if had
                    else "; no IAM policy in the head grants a query on it"
                )
                self.hit(
                    "safe",
                    "gsi-removed",
                    f"GSI {name} removed: its storage and index write cost go away{note}",
                    index=name,
                )
        for name in added:
            self._claim("GlobalSecondaryIndexes", name)
            self._claim_replica_index(name)
            capacity = " and needs its own provisioned capacity" if self.head["BillingMode"] == "PROVISIONED" else ""
            self.hit(
                "safe",
                "gsi-added",
                f"GSI {name} added on {table}: backfills online (queryable once ACTIVE, which takes longer on "
                f"a large table); every write that touches its keys also writes the index, so write cost "
                f"rises{capacity}",
                index=name,
            )
        for name in rebuilt:
            self._claim("GlobalSecondaryIndexes", name)
            self.hit(
                "risky",
                "gsi-rebuilt",
                f"GSI {name} keys or projection changed: an index cannot be altered, only deleted and "
                "recreated; queries on it fail while it rebuilds",
                index=name,
            )
        if len(removed) + len(added) + 2 * len(rebuilt) > 1:
            self.hit(
                "risky",
                "gsi-multiple-changes",
                f"{len(added)} GSI(s) added, {len(removed)} removed and {len(rebuilt)} rebuilt in one change: "
                "CloudFormation can create or delete only one GSI per table per update, so this deploy fails; "
                "ship one index change per deployment",
            )

    # --- whatever is left ----------------------------------------------------------
    def _rest(self) -> None:
        left = self.paths - self.claimed
        if not left:
            return
        if all(len(p) >= 3 and p[0] == "Replicas" and p[2] == "Tags" for p in left):
            self.hit("safe", "tags-changed", "tags only: applied in place, no effect on the data or on access")
            return
        names = sorted({"/".join(p[:3]) for p in left})
        notes = []
        if any("TableClass" in n for n in names):
            notes.append("table class switches online; AWS allows two table-class changes per 30 days")
        if any("Throughput" in n for n in names):
            notes.append("capacity changes apply online")
        tail = f" ({'; '.join(notes)})" if notes else ""
        self.hit("safe", "property-changed", f"changed in place: {', '.join(names)}{tail}", paths=names)
