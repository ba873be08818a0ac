"""The one read model of a synthesized DynamoDB table: every tool reads tables through it.

``AWS::DynamoDB::GlobalTable`` (TableV2) and the classic ``AWS::DynamoDB::Table``
keep the same facts in different places:

* a GlobalTable keeps read capacity, table class, PITR, deletion protection, tags,
  Contributor Insights and Kinesis streaming per replica, and its write capacity
  (always autoscaled when provisioned) once for the table;
* a Table has one region, ``ProvisionedThroughput``, table-level PITR, deletion
  protection and tags, and its autoscaling in separate
  ``AWS::ApplicationAutoScaling::ScalableTarget`` / ``ScalingPolicy`` resources.

:func:`read_tables` turns both into :class:`TableModel` (a plain Table becomes a
table with one replica in the stack's own region), so a new TableV2 property is
one edit here. The summary, the cost estimator, the review diff, seed's local
tables and the GlobalTable nag rules read tables only through this module.

Values that are CloudFormation intrinsics where a literal is expected (a
``Fn::If`` billing mode, a ``Ref`` capacity) are kept as :class:`Intrinsic`, so
each reader decides what an unknown value means to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

GLOBAL_TABLE = "AWS::DynamoDB::GlobalTable"
TABLE = "AWS::DynamoDB::Table"
TABLE_TYPES = (GLOBAL_TABLE, TABLE)
SCALABLE_TARGET = "AWS::ApplicationAutoScaling::ScalableTarget"
SCALING_POLICY = "AWS::ApplicationAutoScaling::ScalingPolicy"

#: CloudFormation's default billing mode, for both table types.
DEFAULT_BILLING = "PROVISIONED"
STANDARD = "STANDARD"
STANDARD_IA = "STANDARD_INFREQUENT_ACCESS"
#: DynamoDB's recovery window when PITR is on and no period is given.
DEFAULT_PITR_DAYS = 35

#: Table properties the model reads into typed fields; the rest stay in ``other``.
_TABLE_MODELLED = frozenset(
    {
        "AttributeDefinitions",
        "TableName",
        "KeySchema",
        "BillingMode",
        "TimeToLiveSpecification",
        "GlobalSecondaryIndexes",
        "LocalSecondaryIndexes",
        "Replicas",
        "StreamSpecification",
        "SSESpecification",
        "WriteProvisionedThroughputSettings",
        "WriteOnDemandThroughputSettings",
    }
)
#: Typed table properties kept as declared too, in ``TableModel.declared``.
_TABLE_DECLARED = (
    "StreamSpecification",
    "SSESpecification",
    "WriteProvisionedThroughputSettings",
    "WriteOnDemandThroughputSettings",
)
#: A plain Table's properties that play the part of its one replica's settings.
_TABLE_REPLICA_PROPS = (
    "PointInTimeRecoverySpecification",
    "DeletionProtectionEnabled",
    "Tags",
    "TableClass",
    "ContributorInsightsSpecification",
)
#: Replica properties read into typed fields; the rest stay in ``ReplicaModel.other``.
_REPLICA_MODELLED = frozenset(
    {
        "Region",
        "Tags",
        "PointInTimeRecoverySpecification",
        "DeletionProtectionEnabled",
        "GlobalSecondaryIndexes",
    }
)


@dataclass(frozen=True)
class Intrinsic:
    """A CloudFormation intrinsic (``Ref``, ``Fn::If``...) where a literal was expected."""

    value: Any

    def __str__(self) -> str:
        return repr(self.value)


Number = Decimal | Intrinsic


def number(value: Any) -> Number | None:
    """A literal number as Decimal; an intrinsic or a non-number as :class:`Intrinsic`; None if absent."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return Intrinsic(value)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Intrinsic(value)


def literal_str(value: Any) -> str | Intrinsic | None:
    if value is None or isinstance(value, str):
        return value
    return Intrinsic(value)


@dataclass(frozen=True)
class Key:
    """A key attribute: its name and its type from AttributeDefinitions (None if undefined)."""

    name: str
    type: str | None

    def __str__(self) -> str:
        return f"{self.name} ({self.type or '?'})"


@dataclass(frozen=True)
class Capacity:
    """Provisioned units: fixed (min == max, no target) or autoscaled between min and max."""

    min: Number | None
    max: Number | None
    #: Target utilization in percent, when autoscaled.
    target: Number | None = None

    @property
    def autoscaled(self) -> bool:
        return self.min != self.max or self.target is not None

    @staticmethod
    def fixed(value: Any) -> Capacity:
        units = number(value)
        return Capacity(units, units)

    @staticmethod
    def autoscaling(settings: Mapping[str, Any]) -> Capacity:
        target = (settings.get("TargetTrackingScalingPolicyConfiguration") or {}).get("TargetValue")
        return Capacity(number(settings.get("MinCapacity")), number(settings.get("MaxCapacity")), number(target))


@dataclass(frozen=True)
class Index:
    """A global or local secondary index, as declared on the table (not per replica)."""

    name: str
    keys: dict[str, Key]
    projection: dict[str, Any]
    #: Provisioned write capacity of a GSI (shared by all replicas), None when on-demand.
    write: Capacity | None = None
    #: On-demand maximum write request units of the index, if capped.
    max_write_request_units: Number | None = None
    #: The index's declared settings other than name, keys and projection, as in the template.
    other: dict[str, Any] = field(default_factory=dict)

    @property
    def partition_key(self) -> Key | None:
        return self.keys.get("HASH")

    @property
    def sort_key(self) -> Key | None:
        return self.keys.get("RANGE")

    @property
    def projection_type(self) -> str:
        return str(self.projection.get("ProjectionType", "ALL")) if isinstance(self.projection, dict) else "?"

    def key_schema(self) -> list[dict[str, str]]:
        """The index's KeySchema in CloudFormation/DynamoDB API form."""
        return [{"AttributeName": key.name, "KeyType": kind} for kind, key in self.keys.items()]


@dataclass(frozen=True)
class Replica:
    """One region's copy: a GlobalTable replica, or a plain Table's own per-region settings."""

    #: The replica's literal region; None for the stack's own region (a plain Table,
    #: or ``{"Ref": "AWS::Region"}`` in an environment-agnostic stack).
    region: str | None
    #: True for a plain Table, whose settings are table-level properties.
    table_level: bool
    table_class: str
    pitr: bool
    #: The recovery window in days when PITR is on, else None.
    pitr_days: Number | None
    deletion_protection: bool
    tags: dict[str, Any]
    #: Provisioned read capacity in this replica (a GlobalTable replica without its
    #: own settings takes the first replica's, as CloudFormation requires one).
    read: Capacity | None = None
    #: Index name -> provisioned read capacity in this replica.
    index_reads: dict[str, Capacity] = field(default_factory=dict)
    #: On-demand maximum read request units, if capped.
    max_read_request_units: Number | None = None
    #: Index name -> on-demand maximum read request units of the index in this replica, if
    #: capped (a GlobalTable replica's index ``ReadOnDemandThroughputSettings``, a plain
    #: Table's index ``OnDemandThroughput``).
    index_max_reads: dict[str, Number] = field(default_factory=dict)
    contributor_insights: bool = False
    kinesis_stream: bool = False
    #: The replica's own KMS key (GlobalTable ``SSESpecification.KMSMasterKeyId``).
    kms_key: Any = None
    #: The resource-based policy document of the table in this replica (``ResourcePolicy``), if any:
    #: who, besides the account's IAM identities, may call DynamoDB on it.
    resource_policy: Any = None
    #: Per-replica index settings as declared (name -> settings without the name).
    index_settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Settings the model does not type (TableClass, capacity, SSE...), as declared.
    other: dict[str, Any] = field(default_factory=dict)

    def region_or(self, default: str) -> str:
        return self.region if self.region is not None else default

    def tag(self, key: str) -> str | None:
        value = self.tags.get(key)
        return value if isinstance(value, str) else None


#: The AWS managed key of DynamoDB, as a KMSMasterKeyId may name it.
AWS_MANAGED_KEY_ALIAS = "alias/aws/dynamodb"
#: Encryption at rest from weakest to strongest (``unknown``: an intrinsic decides).
ENCRYPTION_LEVELS = ("aws_owned", "aws_managed", "customer_managed")


def key_kind(kms_key: Any) -> str:
    """``aws_managed`` for no key or DynamoDB's own alias, else ``customer_managed``."""
    if kms_key is None:
        return "aws_managed"
    if isinstance(kms_key, str) and kms_key.endswith(AWS_MANAGED_KEY_ALIAS):
        return "aws_managed"
    return "customer_managed"


@dataclass(frozen=True)
class Sse:
    """Server-side encryption as declared: None fields are absent from the template."""

    #: ``SSEEnabled``: False (or absent) is the AWS-owned key; True is KMS.
    enabled: bool | Intrinsic | None
    sse_type: str | Intrinsic | None
    kms_key: Any = None
    declared: bool = False

    @property
    def kind(self) -> str:
        """``aws_owned``, ``kms`` (AWS managed or customer managed key) or ``unknown``."""
        if self.enabled is True:
            return "kms"
        if self.enabled is False or self.enabled is None:
            return "aws_owned"
        return "unknown"


@dataclass(frozen=True)
class TableModel:
    """One table resource of one template, normalized across Table and GlobalTable."""

    logical_id: str
    type: str
    deletion_policy: str
    update_replace_policy: str
    table_name: str | Intrinsic | None
    keys: dict[str, Key]
    #: Every AttributeDefinitions entry: name -> type.
    attribute_types: dict[str, str]
    #: As declared, CloudFormation's default (PROVISIONED) filled in; may be an intrinsic.
    billing_mode: str | Intrinsic
    #: Shared provisioned write capacity (autoscaled for a GlobalTable), None when on-demand.
    write: Capacity | None
    max_write_request_units: Number | None
    gsis: list[Index]
    lsis: list[Index]
    ttl_attribute: str | None
    stream_view_type: str | None
    sse: Sse
    replicas: list[Replica]
    #: Properties the model does not read, as declared (for the review's catch-all).
    other: dict[str, Any]
    resource: dict[str, Any]
    #: The typed table settings whose declarations hold more than their typed fields
    #: (stream, SSE, write throughput: e.g. autoscaling cooldowns, a stream's resource
    #: policy), as declared, for readers that compare declarations (the review).
    declared: dict[str, Any] = field(default_factory=dict)

    # --- derived facts ------------------------------------------------------------

    @property
    def is_global_table(self) -> bool:
        return self.type == GLOBAL_TABLE

    @property
    def provisioned(self) -> bool:
        return self.billing_mode == "PROVISIONED"

    @property
    def on_demand(self) -> bool:
        return self.billing_mode == "PAY_PER_REQUEST"

    @property
    def partition_key(self) -> Key | None:
        return self.keys.get("HASH")

    @property
    def sort_key(self) -> Key | None:
        return self.keys.get("RANGE")

    @property
    def primary(self) -> Replica | None:
        """The replica in the stack's region (or the first one declared)."""
        return next((r for r in self.replicas if r.table_level or r.region is None), None) or (
            self.replicas[0] if self.replicas else None
        )

    @property
    def tags(self) -> dict[str, Any]:
        """The primary replica's tags (a plain Table's own)."""
        primary = self.primary
        return dict(primary.tags) if primary else {}

    def tag(self, key: str) -> str | None:
        """A tag of the table: the first replica that carries it."""
        for replica in self.replicas:
            value = replica.tag(key)
            if value is not None:
                return value
        return None

    @property
    def system(self) -> str | None:
        return self.tag("system")

    @property
    def stage(self) -> str | None:
        return self.tag("stage")

    @property
    def catalog_table(self) -> str | None:
        """The catalog key of the table (tag ``table``), e.g. ``users``."""
        return self.tag("table")

    @property
    def pitr_everywhere(self) -> bool:
        return bool(self.replicas) and all(r.pitr for r in self.replicas)

    @property
    def encryption(self) -> str:
        """Encryption at rest: ``aws_owned``, ``aws_managed`` (KMS key ``aws/dynamodb``),
        ``customer_managed`` or ``unknown``; of a GlobalTable, its weakest replica's."""
        kind = self.sse.kind
        if kind != "kms":
            return kind
        if not self.is_global_table:
            return key_kind(self.sse.kms_key)
        kinds = {key_kind(replica.kms_key) for replica in self.replicas} or {"aws_managed"}
        return min(kinds, key=ENCRYPTION_LEVELS.index)

    @property
    def max_read_request_units(self) -> Number | None:
        primary = self.primary
        return primary.max_read_request_units if primary else None

    def key_schema(self) -> list[dict[str, str]]:
        """The KeySchema in CloudFormation/DynamoDB API form."""
        return [{"AttributeName": key.name, "KeyType": kind} for kind, key in self.keys.items()]


# --- reading -----------------------------------------------------------------------


def read_tables(template: Mapping[str, Any]) -> list[TableModel]:
    """Every table of one template, in template order."""
    resources: dict[str, dict[str, Any]] = template.get("Resources") or {}
    scaling: dict[tuple[str, str | None, str], Capacity] | None = None
    tables = []
    for logical_id, resource in resources.items():
        kind = resource.get("Type")
        if kind == GLOBAL_TABLE:
            tables.append(_global_table(logical_id, resource))
        elif kind == TABLE:
            if scaling is None:
                scaling = _scalable_targets(resources)
            tables.append(_table(logical_id, resource, scaling))
    return tables


def _keys(schema: Any, types: Mapping[str, str]) -> dict[str, Key]:
    out: dict[str, Key] = {}
    for key in schema or []:
        if isinstance(key, dict):
            name = str(key.get("AttributeName"))
            out[str(key.get("KeyType"))] = Key(name, types.get(name))
    return out


def _index(raw: dict[str, Any], types: Mapping[str, str], *, table_type: str) -> Index:
    other = {k: v for k, v in raw.items() if k not in ("IndexName", "KeySchema", "Projection")}
    write: Capacity | None = None
    max_write: Number | None = None
    if table_type == GLOBAL_TABLE:
        write = _write_settings(raw.get("WriteProvisionedThroughputSettings"))
        max_write = number((raw.get("WriteOnDemandThroughputSettings") or {}).get("MaxWriteRequestUnits"))
    else:
        max_write = number((raw.get("OnDemandThroughput") or {}).get("MaxWriteRequestUnits"))
    return Index(
        name=str(raw.get("IndexName")),
        keys=_keys(raw.get("KeySchema"), types),
        projection=raw.get("Projection") or {},
        write=write,
        max_write_request_units=max_write,
        other=other,
    )


def _is_intrinsic(value: Any) -> bool:
    """``{"Ref": ...}`` or ``{"Fn::...": ...}``: a value CloudFormation computes at deploy."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = str(next(iter(value)))
    return key == "Ref" or key.startswith("Fn::")


def _unknown_capacity(settings: Any) -> Capacity:
    """Throughput settings that are an intrinsic: capacity unknown until deploy (never read as none)."""
    return Capacity(Intrinsic(settings), Intrinsic(settings))


def _throughput(settings: Any, kind: str) -> Capacity | None:
    """``Read``/``Write`` ProvisionedThroughputSettings: autoscaled, fixed, unknown (an intrinsic) or none."""
    if _is_intrinsic(settings):
        return _unknown_capacity(settings)
    if not isinstance(settings, dict) or not settings:
        return None
    if f"{kind}CapacityAutoScalingSettings" in settings:
        return Capacity.autoscaling(settings[f"{kind}CapacityAutoScalingSettings"] or {})
    if f"{kind}CapacityUnits" in settings:
        return Capacity.fixed(settings[f"{kind}CapacityUnits"])
    return None


def _read_settings(settings: Any) -> Capacity | None:
    return _throughput(settings, "Read")


def _write_settings(settings: Any) -> Capacity | None:
    return _throughput(settings, "Write")


def _enabled(value: Any) -> bool:
    """A feature block such as ContributorInsightsSpecification: on when declared with ``Enabled`` true
    (or absent, or an intrinsic we cannot decide, which costs money until shown otherwise)."""
    if not value:
        return False
    if not isinstance(value, dict):
        return True
    enabled = value.get("Enabled", True)
    return enabled in (True, "true", "True") or isinstance(enabled, dict)


def _tags(tags: Any) -> dict[str, Any]:
    if isinstance(tags, dict):
        return dict(tags)
    return {str(t.get("Key")): t.get("Value") for t in tags or [] if isinstance(t, dict)}


def _pitr(spec: Any) -> tuple[bool, Number | None]:
    spec = spec if isinstance(spec, dict) else {}
    enabled = spec.get("PointInTimeRecoveryEnabled") is True
    days = number(spec.get("RecoveryPeriodInDays", DEFAULT_PITR_DAYS)) if enabled else None
    return enabled, days


def _policy_document(policy: Any) -> Any:
    """``ResourcePolicy: {PolicyDocument: ...}`` -> the document, None when there is none."""
    return policy.get("PolicyDocument") if isinstance(policy, dict) else None


def _replica(raw: dict[str, Any], *, table_level: bool) -> Replica:
    pitr, days = _pitr(raw.get("PointInTimeRecoverySpecification"))
    region = raw.get("Region")
    index_settings = {
        str(g.get("IndexName")): {k: v for k, v in g.items() if k != "IndexName"}
        for g in raw.get("GlobalSecondaryIndexes") or []
        if isinstance(g, dict)
    }
    index_reads = {
        name: read
        for name, settings in index_settings.items()
        if (read := _read_settings(settings.get("ReadProvisionedThroughputSettings"))) is not None
    }
    index_max_reads = {
        name: units
        for name, settings in index_settings.items()
        if (units := number((settings.get("ReadOnDemandThroughputSettings") or {}).get("MaxReadRequestUnits")))
        is not None
    }
    return Replica(
        region=region if isinstance(region, str) and not table_level else None,
        table_level=table_level,
        table_class=str(raw.get("TableClass", STANDARD)),
        pitr=pitr,
        pitr_days=days,
        deletion_protection=raw.get("DeletionProtectionEnabled") is True,
        tags=_tags(raw.get("Tags")),
        read=_read_settings(raw.get("ReadProvisionedThroughputSettings")),
        index_reads=index_reads,
        max_read_request_units=number((raw.get("ReadOnDemandThroughputSettings") or {}).get("MaxReadRequestUnits")),
        index_max_reads=index_max_reads,
        contributor_insights=_enabled(raw.get("ContributorInsightsSpecification")),
        kinesis_stream=_enabled(raw.get("KinesisStreamSpecification")),
        kms_key=(raw.get("SSESpecification") or {}).get("KMSMasterKeyId"),
        resource_policy=_policy_document(raw.get("ResourcePolicy")),
        index_settings=index_settings,
        other={k: v for k, v in raw.items() if k not in _REPLICA_MODELLED},
    )


def _common(logical_id: str, resource: dict[str, Any]) -> dict[str, Any]:
    props = resource.get("Properties") or {}
    types = {
        str(a.get("AttributeName")): str(a.get("AttributeType"))
        for a in props.get("AttributeDefinitions") or []
        if isinstance(a, dict)
    }
    ttl = props.get("TimeToLiveSpecification") or {}
    sse = props.get("SSESpecification")
    sse_dict = sse if isinstance(sse, dict) else {}
    enabled = sse_dict.get("SSEEnabled")
    billing = props.get("BillingMode", DEFAULT_BILLING)
    return {
        "logical_id": logical_id,
        "type": str(resource.get("Type")),
        "deletion_policy": str(resource.get("DeletionPolicy", "Delete")),
        "update_replace_policy": str(resource.get("UpdateReplacePolicy", "Delete")),
        "table_name": literal_str(props.get("TableName")),
        "keys": _keys(props.get("KeySchema"), types),
        "attribute_types": types,
        "billing_mode": billing if isinstance(billing, str) else Intrinsic(billing),
        "gsis": [
            _index(g, types, table_type=str(resource.get("Type")))
            for g in props.get("GlobalSecondaryIndexes") or []
            if isinstance(g, dict)
        ],
        "lsis": [
            _index(i, types, table_type=str(resource.get("Type")))
            for i in props.get("LocalSecondaryIndexes") or []
            if isinstance(i, dict)
        ],
        "ttl_attribute": ttl.get("AttributeName") if isinstance(ttl, dict) and ttl.get("Enabled") is True else None,
        "stream_view_type": (props.get("StreamSpecification") or {}).get("StreamViewType"),
        "sse": Sse(
            enabled=enabled if enabled is None or isinstance(enabled, bool) else Intrinsic(enabled),
            sse_type=literal_str(sse_dict.get("SSEType")),
            kms_key=sse_dict.get("KMSMasterKeyId"),
            declared=isinstance(sse, dict) and isinstance(enabled, bool),
        ),
        "resource": resource,
        "declared": {k: props[k] for k in _TABLE_DECLARED if k in props},
    }


def _global_table(logical_id: str, resource: dict[str, Any]) -> TableModel:
    props = resource.get("Properties") or {}
    common = _common(logical_id, resource)
    replicas = [_replica(r, table_level=False) for r in props.get("Replicas") or [] if isinstance(r, dict)]
    provisioned = common["billing_mode"] == "PROVISIONED"
    if provisioned:
        replicas = _fill_replica_reads(replicas, [g.name for g in common["gsis"]])
    return TableModel(
        **common,
        write=_write_settings(props.get("WriteProvisionedThroughputSettings")) if provisioned else None,
        max_write_request_units=number(
            (props.get("WriteOnDemandThroughputSettings") or {}).get("MaxWriteRequestUnits")
        ),
        replicas=replicas,
        other={k: v for k, v in props.items() if k not in _TABLE_MODELLED},
    )


def _fill_replica_reads(replicas: list[Replica], indexes: list[str]) -> list[Replica]:
    """A replica without its own read settings uses the first replica's (CloudFormation requires one)."""
    first = next((r for r in replicas if r.read is not None), None)
    if first is None:
        return replicas
    out = []
    for replica in replicas:
        reads = dict(replica.index_reads)
        for name in indexes:
            if name not in reads and name in first.index_reads:
                reads[name] = first.index_reads[name]
        out.append(_with(replica, read=replica.read or first.read, index_reads=reads))
    return out


def _with(replica: Replica, **changes: Any) -> Replica:
    from dataclasses import replace

    return replace(replica, **changes)


def _table(
    logical_id: str, resource: dict[str, Any], scaling: Mapping[tuple[str, str | None, str], Capacity]
) -> TableModel:
    props = resource.get("Properties") or {}
    common = _common(logical_id, resource)
    replica = _replica({k: props[k] for k in _TABLE_REPLICA_PROPS if k in props}, table_level=True)
    replica = _with(
        replica,
        resource_policy=_policy_document(props.get("ResourcePolicy")),
        contributor_insights=_enabled(props.get("ContributorInsightsSpecification")),
        kinesis_stream=_enabled(props.get("KinesisStreamSpecification")),
        max_read_request_units=number((props.get("OnDemandThroughput") or {}).get("MaxReadRequestUnits")),
        index_settings={
            str(g.get("IndexName")): {k: v for k, v in g.items() if k not in ("IndexName", "KeySchema", "Projection")}
            for g in props.get("GlobalSecondaryIndexes") or []
            if isinstance(g, dict)
        },
        index_max_reads={
            str(g.get("IndexName")): units
            for g in props.get("GlobalSecondaryIndexes") or []
            if isinstance(g, dict)
            and (units := number((g.get("OnDemandThroughput") or {}).get("MaxReadRequestUnits"))) is not None
        },
    )
    write: Capacity | None = None
    gsis: list[Index] = common.pop("gsis")
    if common["billing_mode"] == "PROVISIONED":
        throughput = props.get("ProvisionedThroughput") or {}
        write = scaling.get((logical_id, None, "write")) or Capacity.fixed(throughput.get("WriteCapacityUnits"))
        reads = {}
        for gsi in props.get("GlobalSecondaryIndexes") or []:
            name = str(gsi.get("IndexName"))
            index_throughput = gsi.get("ProvisionedThroughput") or {}
            reads[name] = scaling.get((logical_id, name, "read")) or Capacity.fixed(
                index_throughput.get("ReadCapacityUnits")
            )
        gsis = [
            _with_index_write(
                g,
                scaling.get((logical_id, g.name, "write"))
                or Capacity.fixed((g.other.get("ProvisionedThroughput") or {}).get("WriteCapacityUnits")),
            )
            for g in gsis
        ]
        replica = _with(
            replica,
            read=scaling.get((logical_id, None, "read")) or Capacity.fixed(throughput.get("ReadCapacityUnits")),
            index_reads=reads,
        )
    return TableModel(
        **common,
        gsis=gsis,
        write=write,
        max_write_request_units=number((props.get("OnDemandThroughput") or {}).get("MaxWriteRequestUnits")),
        replicas=[replica],
        other={k: v for k, v in props.items() if k not in _TABLE_MODELLED and k not in _TABLE_REPLICA_PROPS},
    )


def _with_index_write(index: Index, write: Capacity) -> Index:
    from dataclasses import replace

    return replace(index, write=write)


_SUB_VAR = re.compile(r"\$\{([^}!.][^}.]*)\}")


def _refs(value: Any) -> Iterator[str]:
    """Logical IDs referenced (``Ref``, or ``${Name}`` in ``Fn::Sub``) anywhere inside an intrinsic."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and isinstance(value["Ref"], str):
            yield value["Ref"]
            return
        if set(value) == {"Fn::Sub"}:
            arg = value["Fn::Sub"]
            text, variables = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, {})
            local = variables if isinstance(variables, dict) else {}
            if isinstance(text, str):
                yield from (name for name in _SUB_VAR.findall(text) if name not in local)
            yield from _refs(local)
            return
        for sub in value.values():
            yield from _refs(sub)
    elif isinstance(value, list):
        for sub in value:
            yield from _refs(sub)


def _strings(value: Any) -> str:
    """The literal text of an intrinsic (``Fn::Join`` with its separator), references left out."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"Fn::Join"}:
        arg = value["Fn::Join"]
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], list):
            return arg[0].join(_strings(v) for v in arg[1])
    if isinstance(value, dict):
        return "".join(_strings(v) for v in value.values())
    if isinstance(value, list):
        return "".join(_strings(v) for v in value)
    return ""


def _scalable_targets(resources: Mapping[str, dict[str, Any]]) -> dict[tuple[str, str | None, str], Capacity]:
    """Autoscaling of classic tables: (table id, index or None, "read"/"write") -> capacity."""
    targets: dict[str, tuple[str, str | None, str]] = {}
    out: dict[tuple[str, str | None, str], Capacity] = {}
    for logical_id, resource in resources.items():
        if resource.get("Type") != SCALABLE_TARGET:
            continue
        props = resource.get("Properties") or {}
        if props.get("ServiceNamespace") != "dynamodb":
            continue
        tables = [r for r in _refs(props.get("ResourceId")) if (resources.get(r) or {}).get("Type") == TABLE]
        if not tables:
            continue
        text = _strings(props.get("ResourceId"))
        index = text.split("/index/", 1)[1] if "/index/" in text else None
        kind = "read" if "Read" in str(props.get("ScalableDimension", "")) else "write"
        key = (tables[0], index, kind)
        out[key] = Capacity(number(props.get("MinCapacity")), number(props.get("MaxCapacity")))
        targets[logical_id] = key
    for resource in resources.values():
        if resource.get("Type") != SCALING_POLICY:
            continue
        props = resource.get("Properties") or {}
        ref = next((r for r in _refs(props.get("ScalingTargetId")) if r in targets), None)
        value = (props.get("TargetTrackingScalingPolicyConfiguration") or {}).get("TargetValue")
        if ref and value is not None:
            key = targets[ref]
            out[key] = Capacity(out[key].min, out[key].max, number(value))
    return out
