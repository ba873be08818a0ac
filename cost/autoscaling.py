"""The CloudWatch alarms Application Auto Scaling creates for DynamoDB, which no template lists.

DynamoDB auto scaling "uses a scaling policy in Application Auto Scaling ...
Application Auto Scaling creates and manages the CloudWatch alarms that trigger
scaling events" (DynamoDB Developer Guide, provisioned capacity mode). The
alarms are created per target-tracking policy, and each is a standard
single-metric alarm (consumed or provisioned capacity, 60 s or 300 s periods).

How many per policy:

* **2**, the documented count: DynamoDB Developer Guide, "Using the AWS CLI to
  manage DynamoDB auto scaling", step "Create a scaling policy": "Application
  Auto Scaling has created two Amazon CloudWatch alarms—one each for the upper
  and lower boundary of the scaling target range";
* **4**, what ``DescribeScalingPolicies`` lists for a DynamoDB target-tracking
  policy in recorded responses (``TargetTracking-table/<t>-AlarmHigh-…``,
  ``-AlarmLow-…``, ``-ProvisionedCapacityHigh-…``, ``-ProvisionedCapacityLow-…``),
  which the guide's sentence does not mention.

So the estimate prices 2 per policy at its lower bound and 4 at its upper bound.

Policies are read from the read model (:mod:`tableforge.model`): every
provisioned capacity with a target value is one target-tracking policy. A
TableV2 (``AWS::DynamoDB::GlobalTable``) states write autoscaling once and
CloudFormation applies it to every replica, each in its own region, so a table's
and each GSI's write policy counts once per replica; read autoscaling is per
replica. A classic ``AWS::DynamoDB::Table`` has a policy where a
``ScalingPolicy`` with a target value points at its ``ScalableTarget``.
"""

from __future__ import annotations

from tableforge.model import Capacity, TableModel

#: Alarms per target-tracking policy: (documented, as DescribeScalingPolicies lists them).
ALARMS_PER_POLICY = (2, 4)


def _tracked(capacity: Capacity | None) -> bool:
    return capacity is not None and capacity.target is not None


def target_tracking_policies(table: TableModel) -> list[str]:
    """One label per target-tracking policy Application Auto Scaling runs for ``table``."""
    if not table.provisioned:
        return []
    replicas = table.replicas or []
    regions = [r.region or "stack region" for r in replicas] or ["stack region"]
    policies: list[str] = []
    writes = [("table", table.write)] + [(f"gsi {g.name}", g.write) for g in table.gsis]
    for scope, capacity in writes:
        if _tracked(capacity):
            policies += [f"{scope} write ({region})" for region in regions]
    for replica, region in zip(replicas, regions, strict=False):
        if _tracked(replica.read):
            policies.append(f"table read ({region})")
        policies += [f"gsi {name} read ({region})" for name, cap in replica.index_reads.items() if _tracked(cap)]
    return policies
