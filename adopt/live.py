"""What a live table looks like, read with DescribeTable and its three companions.

DynamoDB Local answers DescribeContinuousBackups and ListTagsOfResource with
UnknownOperationException (it has no backups and no tagging), and an account may lack
the permissions; those facts are then ``None`` (unknown) with the reason kept, never
guessed. Only DescribeTable must succeed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

#: The tag CloudFormation puts on every resource it manages.
STACK_NAME_TAG = "aws:cloudformation:stack-name"


class LiveReadError(Exception):
    """DescribeTable failed for another reason than "no such table"."""


@dataclass(frozen=True)
class LiveKey:
    name: str
    type: str

    def __str__(self) -> str:
        return f"{self.name} ({self.type})"


@dataclass(frozen=True)
class LiveIndex:
    name: str
    keys: dict[str, LiveKey]
    projection_type: str


@dataclass(frozen=True)
class LiveState:
    """One live table. ``pitr`` and ``tags`` are None when they could not be read."""

    name: str
    arn: str
    status: str
    #: ``HASH``/``RANGE`` -> key attribute with its type.
    keys: dict[str, LiveKey]
    billing_mode: str
    read: int | None
    write: int | None
    max_read_request_units: int | None
    max_write_request_units: int | None
    gsis: dict[str, LiveIndex]
    lsis: tuple[str, ...]
    ttl_attribute: str | None
    stream_view_type: str | None
    #: ``aws_owned`` (DynamoDB's default) or ``kms`` (an AWS managed or customer managed key).
    sse: str
    kms_key_arn: str | None
    deletion_protection: bool
    table_class: str
    item_count: int
    size_bytes: int
    pitr: bool | None
    pitr_days: int | None
    tags: dict[str, str] | None
    #: Why ``pitr``, ``tags`` or the TTL is unknown (``pitr``/``tags``/``ttl`` -> reason).
    unknown: dict[str, str] = field(default_factory=dict)

    @property
    def owner_stack(self) -> str | None:
        """The CloudFormation stack that manages the table, by its tag; None if none or unknown."""
        return (self.tags or {}).get(STACK_NAME_TAG)

    def key_schema(self) -> str:
        return ", ".join(str(self.keys[k]) for k in ("HASH", "RANGE") if k in self.keys)


def read_live(client: Any, name: str) -> LiveState | None:
    """The live table ``name``, or None when it does not exist. Never changes anything."""
    try:
        table = client.describe_table(TableName=name)["Table"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException":
            return None
        raise LiveReadError(f"DescribeTable {name}: {exc.response['Error'].get('Message', exc)}") from None
    except BotoCoreError as exc:
        raise LiveReadError(f"DescribeTable {name}: {exc}") from None
    unknown: dict[str, str] = {}
    pitr, pitr_days = _pitr(client, name, unknown)
    return LiveState(
        name=name,
        arn=table["TableArn"],
        status=table.get("TableStatus", "?"),
        keys=_keys(table.get("KeySchema", []), table),
        **_billing(table),
        gsis={g["IndexName"]: _index(g, table) for g in table.get("GlobalSecondaryIndexes", [])},
        lsis=tuple(i["IndexName"] for i in table.get("LocalSecondaryIndexes", [])),
        ttl_attribute=_ttl(client, name, unknown),
        stream_view_type=_stream(table),
        **_sse(table),
        deletion_protection=bool(table.get("DeletionProtectionEnabled", False)),
        table_class=(table.get("TableClassSummary") or {}).get("TableClass", "STANDARD"),
        item_count=int(table.get("ItemCount", 0)),
        size_bytes=int(table.get("TableSizeBytes", 0)),
        pitr=pitr,
        pitr_days=pitr_days,
        tags=_tags(client, table["TableArn"], unknown),
        unknown=unknown,
    )


def _keys(schema: list[dict[str, str]], table: dict[str, Any]) -> dict[str, LiveKey]:
    types = {a["AttributeName"]: a["AttributeType"] for a in table.get("AttributeDefinitions", [])}
    return {k["KeyType"]: LiveKey(k["AttributeName"], types.get(k["AttributeName"], "?")) for k in schema}


def _index(raw: dict[str, Any], table: dict[str, Any]) -> LiveIndex:
    projection = (raw.get("Projection") or {}).get("ProjectionType", "ALL")
    return LiveIndex(raw["IndexName"], _keys(raw.get("KeySchema", []), table), projection)


def _billing(table: dict[str, Any]) -> dict[str, Any]:
    # A table created PROVISIONED and never switched has no BillingModeSummary.
    mode = (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
    throughput = table.get("ProvisionedThroughput") or {}
    on_demand = table.get("OnDemandThroughput") or {}
    provisioned = mode == "PROVISIONED"
    return {
        "billing_mode": mode,
        "read": int(throughput.get("ReadCapacityUnits", 0)) if provisioned else None,
        "write": int(throughput.get("WriteCapacityUnits", 0)) if provisioned else None,
        "max_read_request_units": _positive(on_demand.get("MaxReadRequestUnits")),
        "max_write_request_units": _positive(on_demand.get("MaxWriteRequestUnits")),
    }


def _positive(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and value > 0 else None


def _stream(table: dict[str, Any]) -> str | None:
    spec = table.get("StreamSpecification") or {}
    return spec.get("StreamViewType") if spec.get("StreamEnabled") else None


def _sse(table: dict[str, Any]) -> dict[str, Any]:
    description = table.get("SSEDescription") or {}
    if description.get("Status") not in ("ENABLED", "UPDATING"):
        return {"sse": "aws_owned", "kms_key_arn": None}
    # DescribeTable gives the KMS key's ARN for the AWS managed key (aws/dynamodb) and for
    # a customer managed one alike; telling them apart needs kms:DescribeKey, not read here.
    return {"sse": "kms", "kms_key_arn": description.get("KMSMasterKeyArn")}


def _ttl(client: Any, name: str, unknown: dict[str, str]) -> str | None:
    try:
        description = client.describe_time_to_live(TableName=name).get("TimeToLiveDescription") or {}
    except (ClientError, BotoCoreError) as exc:
        unknown["ttl"] = f"DescribeTimeToLive failed: {_message(exc)}"
        return None
    if description.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
        attribute = description.get("AttributeName")
        return str(attribute) if attribute else None
    return None


def _pitr(client: Any, name: str, unknown: dict[str, str]) -> tuple[bool | None, int | None]:
    try:
        backups = client.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    except (ClientError, BotoCoreError) as exc:
        unknown["pitr"] = f"DescribeContinuousBackups failed: {_message(exc)}"
        return None, None
    description = backups.get("PointInTimeRecoveryDescription") or {}
    enabled = description.get("PointInTimeRecoveryStatus") == "ENABLED"
    days = description.get("RecoveryPeriodInDays")
    return enabled, (int(days) if enabled and days else (35 if enabled else None))


def _tags(client: Any, arn: str, unknown: dict[str, str]) -> dict[str, str] | None:
    tags: dict[str, str] = {}
    kwargs: dict[str, Any] = {"ResourceArn": arn}
    try:
        while True:
            page = client.list_tags_of_resource(**kwargs)
            tags.update({t["Key"]: t["Value"] for t in page.get("Tags", [])})
            if not page.get("NextToken"):
                return tags
            kwargs["NextToken"] = page["NextToken"]
    except (ClientError, BotoCoreError) as exc:
        unknown["tags"] = f"ListTagsOfResource failed: {_message(exc)}"
        return None


def _message(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', '?')}: {error.get('Message', '')}".rstrip(": ")
    return str(exc)
