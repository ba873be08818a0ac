"""The templates around an import: the live table as it is, then one more GSI per deploy.

CloudFormation imports a resource as the template describes it and touches the table
only when a later update changes the template. So the import template describes each
imported table as it is live (keys, billing, GSIs, TTL, stream, SSE, PITR, deletion
protection, class, tags); the next deploy makes every difference but new GSIs; each
deploy after that adds one GSI per table (CloudFormation's limit for GlobalTable:
"You can only create or delete one global secondary index in a single stack
operation"). Resources are copied from the synthesized template and edited; what a
table declares is read through the read model.
"""

from __future__ import annotations

import copy
from typing import Any

from adopt.compare import new_gsis
from adopt.live import LiveState
from tableforge.model import TableModel


def live_state(model: TableModel, live: LiveState) -> dict[str, Any]:
    """The table's resource describing the live table (its GSIs are all in the template)."""
    resource = _with_gsis(model, set(live.gsis))
    props = resource["Properties"]
    replica = props["Replicas"][0]
    _billing(props, replica, live)
    _set(
        props,
        "TimeToLiveSpecification",
        {"AttributeName": live.ttl_attribute, "Enabled": True} if live.ttl_attribute else None,
        keep="ttl" in live.unknown,
    )
    _set(props, "StreamSpecification", {"StreamViewType": live.stream_view_type} if live.stream_view_type else None)
    props["SSESpecification"] = {"SSEEnabled": True, "SSEType": "KMS"} if live.sse == "kms" else {"SSEEnabled": False}
    if live.pitr is not None:
        pitr: dict[str, Any] = {"PointInTimeRecoveryEnabled": live.pitr}
        if live.pitr and live.pitr_days:
            pitr["RecoveryPeriodInDays"] = live.pitr_days
        replica["PointInTimeRecoverySpecification"] = pitr
    replica["DeletionProtectionEnabled"] = live.deletion_protection
    replica["TableClass"] = live.table_class
    if live.tags is not None:
        tags = [{"Key": k, "Value": v} for k, v in sorted(live.tags.items()) if not k.startswith("aws:")]
        _set(replica, "Tags", tags or None)
    return resource


def with_new_gsis(model: TableModel, live: LiveState, count: int) -> dict[str, Any]:
    """The synthesized resource with the live GSIs plus the first ``count`` new ones."""
    return _with_gsis(model, set(live.gsis) | set(new_gsis(model, live)[:count]))


def _with_gsis(model: TableModel, keep: set[str]) -> dict[str, Any]:
    resource = copy.deepcopy(model.resource)
    props = resource["Properties"]
    _set(
        props,
        "GlobalSecondaryIndexes",
        [g for g in props.get("GlobalSecondaryIndexes", []) if g.get("IndexName") in keep] or None,
    )
    for replica in props.get("Replicas", []):
        kept = [g for g in replica.get("GlobalSecondaryIndexes", []) if g.get("IndexName") in keep]
        _set(replica, "GlobalSecondaryIndexes", kept or None)
    used = {k.name for k in model.keys.values()}
    used |= {k.name for g in model.gsis if g.name in keep for k in g.keys.values()}
    props["AttributeDefinitions"] = [a for a in props.get("AttributeDefinitions", []) if a.get("AttributeName") in used]
    return resource


def _billing(props: dict[str, Any], replica: dict[str, Any], live: LiveState) -> None:
    props["BillingMode"] = live.billing_mode
    if live.billing_mode == "PROVISIONED":
        # GlobalTable can only state write capacity as autoscaling: min = max = the live units.
        units = live.write or 1
        props["WriteProvisionedThroughputSettings"] = {
            "WriteCapacityAutoScalingSettings": {
                "MinCapacity": units,
                "MaxCapacity": units,
                "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70},
            }
        }
        replica["ReadProvisionedThroughputSettings"] = {"ReadCapacityUnits": live.read or 1}
        return
    props.pop("WriteProvisionedThroughputSettings", None)
    replica.pop("ReadProvisionedThroughputSettings", None)
    for index in props.get("GlobalSecondaryIndexes", []):
        index.pop("WriteProvisionedThroughputSettings", None)
    for index in replica.get("GlobalSecondaryIndexes", []):
        index.pop("ReadProvisionedThroughputSettings", None)
    _set(
        props,
        "WriteOnDemandThroughputSettings",
        {"MaxWriteRequestUnits": live.max_write_request_units} if live.max_write_request_units else None,
    )
    _set(
        replica,
        "ReadOnDemandThroughputSettings",
        {"MaxReadRequestUnits": live.max_read_request_units} if live.max_read_request_units else None,
    )


def _set(target: dict[str, Any], key: str, value: Any, *, keep: bool = False) -> None:
    """Set ``key``, or remove it for None (unless ``keep``: the live value is unknown)."""
    if value is not None:
        target[key] = value
    elif not keep:
        target.pop(key, None)
