"""Read DynamoDB tables out of CloudFormation templates into one normalized shape.

TableV2 emits ``AWS::DynamoDB::GlobalTable`` (per-replica read capacity, table
class and PITR; write capacity shared and always autoscaled); the classic
``AWS::DynamoDB::Table`` has one region, ``ProvisionedThroughput``, and its
autoscaling in separate ``AWS::ApplicationAutoScaling::ScalableTarget``
resources. Both end up as a TableShape, so pricing has one code path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tableforge.assembly import GLOBAL_TABLE, TABLE

STANDARD = "STANDARD"
STANDARD_IA = "STANDARD_INFREQUENT_ACCESS"


class Unpriceable(Exception):
    """The template holds something we cannot price (an intrinsic where a number should be)."""


@dataclass(frozen=True)
class Capacity:
    """Provisioned units: fixed (min == max) or autoscaled between min and max."""

    min: Decimal
    max: Decimal
    #: Target utilization in percent, when autoscaled.
    target: Decimal | None = None

    @property
    def autoscaled(self) -> bool:
        return self.min != self.max or self.target is not None


@dataclass
class ReplicaShape:
    region: str
    table_class: str
    pitr: bool
    read: Capacity | None = None
    #: index name -> read capacity in this replica (provisioned only).
    index_reads: dict[str, Capacity] = field(default_factory=dict)


@dataclass
class TableShape:
    kind: str
    provisioned: bool
    replicas: list[ReplicaShape]
    indexes: list[str]
    stream: bool
    write: Capacity | None = None
    index_writes: dict[str, Capacity] = field(default_factory=dict)


def _number(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Unpriceable(f"{what} is not a literal number ({value!r})")
    try:
        return Decimal(str(value))
    except Exception:
        raise Unpriceable(f"{what} is not a number ({value!r})") from None


def _fixed(value: Any, what: str) -> Capacity:
    number = _number(value, what)
    return Capacity(number, number)


def _autoscaling(settings: dict[str, Any], what: str) -> Capacity:
    target = (settings.get("TargetTrackingScalingPolicyConfiguration") or {}).get("TargetValue")
    return Capacity(
        _number(settings.get("MinCapacity"), f"{what} MinCapacity"),
        _number(settings.get("MaxCapacity"), f"{what} MaxCapacity"),
        _number(target, f"{what} TargetValue") if target is not None else None,
    )


def _read_settings(settings: dict[str, Any] | None, what: str) -> Capacity | None:
    if not settings:
        return None
    if "ReadCapacityAutoScalingSettings" in settings:
        return _autoscaling(settings["ReadCapacityAutoScalingSettings"], what)
    if "ReadCapacityUnits" in settings:
        return _fixed(settings["ReadCapacityUnits"], what)
    return None


def _write_settings(settings: dict[str, Any] | None, what: str) -> Capacity | None:
    if not settings:
        return None
    if "WriteCapacityAutoScalingSettings" in settings:
        return _autoscaling(settings["WriteCapacityAutoScalingSettings"], what)
    return None


def _region(value: Any, default: str) -> str:
    # {"Ref": "AWS::Region"} in an environment-agnostic stack means the stack's region.
    return value if isinstance(value, str) else default


def global_table_shape(resource: dict[str, Any], *, stack_region: str) -> TableShape:
    props = resource.get("Properties", {})
    provisioned = props.get("BillingMode", "PROVISIONED") == "PROVISIONED"
    indexes = [g["IndexName"] for g in props.get("GlobalSecondaryIndexes", [])]
    replicas: list[ReplicaShape] = []
    for raw in props.get("Replicas", []):
        pitr = bool((raw.get("PointInTimeRecoverySpecification") or {}).get("PointInTimeRecoveryEnabled"))
        replica = ReplicaShape(
            region=_region(raw.get("Region"), stack_region),
            table_class=raw.get("TableClass", STANDARD),
            pitr=pitr,
        )
        if provisioned:
            replica.read = _read_settings(raw.get("ReadProvisionedThroughputSettings"), "replica read capacity")
            for index in raw.get("GlobalSecondaryIndexes", []):
                read = _read_settings(index.get("ReadProvisionedThroughputSettings"), f"{index['IndexName']} read")
                if read is not None:
                    replica.index_reads[index["IndexName"]] = read
        replicas.append(replica)
    if not replicas:
        replicas.append(ReplicaShape(region=stack_region, table_class=STANDARD, pitr=False))
    shape = TableShape(
        kind=GLOBAL_TABLE,
        provisioned=provisioned,
        replicas=replicas,
        indexes=indexes,
        stream=bool(props.get("StreamSpecification")),
    )
    if provisioned:
        shape.write = _write_settings(props.get("WriteProvisionedThroughputSettings"), "write capacity")
        for index in props.get("GlobalSecondaryIndexes", []):
            write = _write_settings(index.get("WriteProvisionedThroughputSettings"), f"{index['IndexName']} write")
            if write is not None:
                shape.index_writes[index["IndexName"]] = write
        # A replica without its own read settings uses the first replica's (CloudFormation requires one).
        first = next((r for r in replicas if r.read is not None), None)
        for replica in replicas:
            if replica.read is None and first is not None:
                replica.read = first.read
            for name in indexes:
                if name not in replica.index_reads and first is not None and name in first.index_reads:
                    replica.index_reads[name] = first.index_reads[name]
    return shape


def table_shape(
    logical_id: str,
    resource: dict[str, Any],
    *,
    stack_region: str,
    scaling: dict[tuple[str, str | None, str], Capacity],
) -> TableShape:
    """A classic AWS::DynamoDB::Table; ``scaling`` maps (table id, index or None, "read"/"write") to autoscaling."""
    props = resource.get("Properties", {})
    provisioned = props.get("BillingMode", "PROVISIONED") == "PROVISIONED"
    gsis = props.get("GlobalSecondaryIndexes", [])
    replica = ReplicaShape(
        region=stack_region,
        table_class=props.get("TableClass", STANDARD),
        pitr=bool((props.get("PointInTimeRecoverySpecification") or {}).get("PointInTimeRecoveryEnabled")),
    )
    shape = TableShape(
        kind=TABLE,
        provisioned=provisioned,
        replicas=[replica],
        indexes=[g["IndexName"] for g in gsis],
        stream=bool(props.get("StreamSpecification")),
    )
    if provisioned:
        throughput = props.get("ProvisionedThroughput") or {}
        replica.read = scaling.get((logical_id, None, "read")) or _fixed(
            throughput.get("ReadCapacityUnits"), "ReadCapacityUnits"
        )
        shape.write = scaling.get((logical_id, None, "write")) or _fixed(
            throughput.get("WriteCapacityUnits"), "WriteCapacityUnits"
        )
        for gsi in gsis:
            name = gsi["IndexName"]
            index_throughput = gsi.get("ProvisionedThroughput") or {}
            replica.index_reads[name] = scaling.get((logical_id, name, "read")) or _fixed(
                index_throughput.get("ReadCapacityUnits"), f"{name} ReadCapacityUnits"
            )
            shape.index_writes[name] = scaling.get((logical_id, name, "write")) or _fixed(
                index_throughput.get("WriteCapacityUnits"), f"{name} WriteCapacityUnits"
            )
    return shape


def _refs(value: Any) -> list[str]:
    """Logical IDs referenced (Ref) anywhere inside an intrinsic."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and isinstance(value["Ref"], str):
            return [value["Ref"]]
        return [ref for v in value.values() for ref in _refs(v)]
    if isinstance(value, list):
        return [ref for v in value for ref in _refs(v)]
    return []


def _strings(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "".join(_strings(v) for v in value.values())
    if isinstance(value, list):
        return "".join(_strings(v) for v in value)
    return ""


def scalable_targets(resources: dict[str, dict[str, Any]]) -> dict[tuple[str, str | None, str], Capacity]:
    """Autoscaling of classic tables, from ScalableTarget + ScalingPolicy resources."""
    targets: dict[str, tuple[str, str | None, str]] = {}
    out: dict[tuple[str, str | None, str], Capacity] = {}
    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::ApplicationAutoScaling::ScalableTarget":
            continue
        props = resource.get("Properties", {})
        if props.get("ServiceNamespace") != "dynamodb":
            continue
        dimension = str(props.get("ScalableDimension", ""))
        tables = [r for r in _refs(props.get("ResourceId")) if resources.get(r, {}).get("Type") == TABLE]
        if not tables:
            continue
        text = _strings(props.get("ResourceId"))
        index = text.split("/index/", 1)[1] if "/index/" in text else None
        kind = "read" if "Read" in dimension else "write"
        key = (tables[0], index, kind)
        out[key] = Capacity(
            _number(props.get("MinCapacity"), "MinCapacity"), _number(props.get("MaxCapacity"), "MaxCapacity")
        )
        targets[logical_id] = key
    for resource in resources.values():
        if resource.get("Type") != "AWS::ApplicationAutoScaling::ScalingPolicy":
            continue
        props = resource.get("Properties", {})
        ref = next((r for r in _refs(props.get("ScalingTargetId")) if r in targets), None)
        value = (props.get("TargetTrackingScalingPolicyConfiguration") or {}).get("TargetValue")
        if ref and value is not None:
            key = targets[ref]
            out[key] = Capacity(out[key].min, out[key].max, _number(value, "TargetValue"))
    return out
