"""tableforge/model.py on small hand-written templates.

Every expectation here comes from the CloudFormation resource reference, not from
the model: ``AWS::DynamoDB::GlobalTable`` keeps read capacity, PITR, deletion
protection, tags and table class per replica (a replica without read settings
uses those of the replica that has them) and write capacity once, always
autoscaled; ``AWS::DynamoDB::Table`` keeps them at the table, with
``ProvisionedThroughput`` and separate ``AWS::ApplicationAutoScaling`` resources
for autoscaling. BillingMode defaults to PROVISIONED, TableClass to STANDARD, the
PITR window to 35 days, and an absent SSESpecification means the AWS-owned key.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tableforge.model import GLOBAL_TABLE, TABLE, Capacity, Intrinsic, Key, read_tables


def _tags(**tags: str) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _autoscaling(minimum: int, maximum: int, target: int) -> dict[str, Any]:
    return {
        "MinCapacity": minimum,
        "MaxCapacity": maximum,
        "TargetTrackingScalingPolicyConfiguration": {"TargetValue": target},
    }


def _only(template: dict[str, Any]) -> Any:
    (table,) = read_tables(template)
    return table


# --- GlobalTable ----------------------------------------------------------------------


def _provisioned_global_table() -> dict[str, Any]:
    return {
        "Resources": {
            "Orders": {
                "Type": GLOBAL_TABLE,
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": {
                    "TableName": "shop-orders-prod",
                    "AttributeDefinitions": [
                        {"AttributeName": "pk", "AttributeType": "S"},
                        {"AttributeName": "sk", "AttributeType": "N"},
                        {"AttributeName": "status", "AttributeType": "S"},
                    ],
                    "KeySchema": [
                        {"AttributeName": "pk", "KeyType": "HASH"},
                        {"AttributeName": "sk", "KeyType": "RANGE"},
                    ],
                    "BillingMode": "PROVISIONED",
                    "WriteProvisionedThroughputSettings": {"WriteCapacityAutoScalingSettings": _autoscaling(5, 25, 70)},
                    "GlobalSecondaryIndexes": [
                        {
                            "IndexName": "byStatus",
                            "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                            "Projection": {"ProjectionType": "KEYS_ONLY"},
                            "WriteProvisionedThroughputSettings": {
                                "WriteCapacityAutoScalingSettings": _autoscaling(2, 10, 60)
                            },
                        }
                    ],
                    "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
                    "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS"},
                    "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
                    "Replicas": [
                        {
                            "Region": "us-east-1",
                            "ReadProvisionedThroughputSettings": {"ReadCapacityUnits": 10},
                            "GlobalSecondaryIndexes": [
                                {"IndexName": "byStatus", "ReadProvisionedThroughputSettings": {"ReadCapacityUnits": 4}}
                            ],
                            "PointInTimeRecoverySpecification": {
                                "PointInTimeRecoveryEnabled": True,
                                "RecoveryPeriodInDays": 14,
                            },
                            "DeletionProtectionEnabled": True,
                            "TableClass": "STANDARD_INFREQUENT_ACCESS",
                            "SSESpecification": {"KMSMasterKeyId": "alias/shop-us"},
                            "Tags": _tags(system="shop", table="orders", stage="prod"),
                        },
                        {"Region": "eu-west-1", "Tags": _tags(system="shop", table="orders", stage="prod")},
                    ],
                },
            }
        }
    }


def test_provisioned_global_table_with_two_replicas() -> None:
    table = _only(_provisioned_global_table())
    assert (table.logical_id, table.type, table.is_global_table) == ("Orders", GLOBAL_TABLE, True)
    assert (table.deletion_policy, table.update_replace_policy) == ("Retain", "Retain")
    assert table.table_name == "shop-orders-prod"
    assert table.keys == {"HASH": Key("pk", "S"), "RANGE": Key("sk", "N")}
    assert table.key_schema() == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert table.attribute_types == {"pk": "S", "sk": "N", "status": "S"}
    assert table.provisioned and not table.on_demand
    # Writes: shared by every replica, autoscaled 5..25 at 70 %.
    assert table.write == Capacity(Decimal(5), Decimal(25), Decimal(70))
    assert table.write.autoscaled
    assert table.ttl_attribute == "expires_at"
    assert table.stream_view_type == "NEW_AND_OLD_IMAGES"
    assert (table.sse.enabled, table.sse.sse_type, table.sse.declared, table.sse.kind) == (True, "KMS", True, "kms")

    (gsi,) = table.gsis
    assert gsi.name == "byStatus" and gsi.partition_key == Key("status", "S") and gsi.sort_key is None
    assert gsi.projection_type == "KEYS_ONLY"
    assert gsi.key_schema() == [{"AttributeName": "status", "KeyType": "HASH"}]
    assert gsi.write == Capacity(Decimal(2), Decimal(10), Decimal(60))

    first, second = table.replicas
    assert (first.region, first.table_level, second.region, second.table_level) == (
        "us-east-1",
        False,
        "eu-west-1",
        False,
    )
    assert first.read == Capacity(Decimal(10), Decimal(10)) and not first.read.autoscaled
    assert first.index_reads == {"byStatus": Capacity(Decimal(4), Decimal(4))}
    # The second replica declares no read settings: it uses the first replica's.
    assert second.read == Capacity(Decimal(10), Decimal(10))
    assert second.index_reads == {"byStatus": Capacity(Decimal(4), Decimal(4))}

    # Per-replica settings are not inherited: defaults apply where a replica says nothing.
    assert (first.pitr, first.pitr_days, first.deletion_protection) == (True, Decimal(14), True)
    assert (second.pitr, second.pitr_days, second.deletion_protection) == (False, None, False)
    assert (first.table_class, second.table_class) == ("STANDARD_INFREQUENT_ACCESS", "STANDARD")
    assert (first.kms_key, second.kms_key) == ("alias/shop-us", None)
    assert not table.pitr_everywhere and not all(r.deletion_protection for r in table.replicas)
    assert (table.system, table.stage, table.catalog_table) == ("shop", "prod", "orders")
    assert first.tags == {"system": "shop", "table": "orders", "stage": "prod"}

    # What review compares besides the typed fields: the replica's declared extras...
    assert first.other == {
        "ReadProvisionedThroughputSettings": {"ReadCapacityUnits": 10},
        "TableClass": "STANDARD_INFREQUENT_ACCESS",
        "SSESpecification": {"KMSMasterKeyId": "alias/shop-us"},
    }
    assert first.index_settings == {"byStatus": {"ReadProvisionedThroughputSettings": {"ReadCapacityUnits": 4}}}
    assert second.other == {} and second.index_settings == {}
    # ...the index's settings besides name, keys and projection...
    assert gsi.other == {
        "WriteProvisionedThroughputSettings": {"WriteCapacityAutoScalingSettings": _autoscaling(2, 10, 60)}
    }
    # ...and the typed table settings as declared, for readers that compare declarations.
    props = _provisioned_global_table()["Resources"]["Orders"]["Properties"]
    assert table.declared == {
        key: props[key] for key in ("WriteProvisionedThroughputSettings", "StreamSpecification", "SSESpecification")
    }
    assert table.other == {}


def test_global_table_declared_settings_keep_what_the_typed_fields_leave_out() -> None:
    template = _provisioned_global_table()
    write = template["Resources"]["Orders"]["Properties"]["WriteProvisionedThroughputSettings"]
    write["WriteCapacityAutoScalingSettings"]["SeedCapacity"] = 8
    write["WriteCapacityAutoScalingSettings"]["TargetTrackingScalingPolicyConfiguration"]["ScaleInCooldown"] = 120
    table = _only(template)
    # Capacity keeps min, max and target only; the cooldown and seed stay visible in ``declared``.
    assert table.write == Capacity(Decimal(5), Decimal(25), Decimal(70))
    assert table.declared["WriteProvisionedThroughputSettings"] == write


def test_on_demand_global_table_with_maximum_request_units() -> None:
    template = {
        "Resources": {
            "Events": {
                "Type": GLOBAL_TABLE,
                "Properties": {
                    "AttributeDefinitions": [
                        {"AttributeName": "id", "AttributeType": "S"},
                        {"AttributeName": "day", "AttributeType": "S"},
                    ],
                    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                    "BillingMode": "PAY_PER_REQUEST",
                    "WriteOnDemandThroughputSettings": {"MaxWriteRequestUnits": 100},
                    "GlobalSecondaryIndexes": [
                        {
                            "IndexName": "byDay",
                            "KeySchema": [{"AttributeName": "day", "KeyType": "HASH"}],
                            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["id"]},
                            "WriteOnDemandThroughputSettings": {"MaxWriteRequestUnits": 50},
                        }
                    ],
                    "Replicas": [
                        {"Region": "us-east-1", "ReadOnDemandThroughputSettings": {"MaxReadRequestUnits": 200}}
                    ],
                },
            }
        }
    }
    table = _only(template)
    assert table.on_demand and not table.provisioned
    assert table.table_name is None  # CloudFormation generates the name
    assert table.deletion_policy == "Delete" and table.update_replace_policy == "Delete"
    assert table.write is None
    assert table.max_write_request_units == Decimal(100)
    assert table.max_read_request_units == Decimal(200)
    (replica,) = table.replicas
    assert replica.read is None and replica.index_reads == {}
    assert replica.max_read_request_units == Decimal(200)
    (gsi,) = table.gsis
    assert gsi.write is None and gsi.max_write_request_units == Decimal(50)
    assert gsi.projection_type == "INCLUDE"
    assert gsi.projection == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["id"]}
    assert table.ttl_attribute is None and table.stream_view_type is None
    assert table.sse.declared is False and table.sse.kind == "aws_owned"
    assert table.declared == {"WriteOnDemandThroughputSettings": {"MaxWriteRequestUnits": 100}}


# --- classic Table --------------------------------------------------------------------


def _scaling(
    target_id: str, dimension: str, resource_id: Any, minimum: int, maximum: int, target: int
) -> dict[str, Any]:
    """A ScalableTarget and its target-tracking ScalingPolicy, shaped as CDK's Table.autoScale*Capacity emits."""
    kind = "Read" if "Read" in dimension else "Write"
    return {
        target_id: {
            "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
            "Properties": {
                "MaxCapacity": maximum,
                "MinCapacity": minimum,
                "ResourceId": resource_id,
                "RoleARN": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::111111111111:role/x"]]},
                "ScalableDimension": dimension,
                "ServiceNamespace": "dynamodb",
            },
        },
        target_id + "Policy": {
            "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
            "Properties": {
                "PolicyName": target_id + "Policy",
                "PolicyType": "TargetTrackingScaling",
                "ScalingTargetId": {"Ref": target_id},
                "TargetTrackingScalingPolicyConfiguration": {
                    "PredefinedMetricSpecification": {"PredefinedMetricType": f"DynamoDB{kind}CapacityUtilization"},
                    "TargetValue": target,
                },
            },
        },
    }


def _classic(name: str, *, gsi: bool = True) -> dict[str, Any]:
    props: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "email", "AttributeType": "S"},
        ],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        # No BillingMode: CDK's provisioned Table leaves it out (CloudFormation's default).
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    }
    if gsi:
        props["GlobalSecondaryIndexes"] = [
            {
                "IndexName": "byEmail",
                "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 6},
            }
        ]
    return {"Type": TABLE, "Properties": props}


def _join(*parts: Any) -> dict[str, Any]:
    return {"Fn::Join": ["", list(parts)]}


def test_classic_table_autoscaled_by_application_autoscaling() -> None:
    template = {
        "Resources": {
            "Users": _classic("users"),
            "Other": _classic("other"),
            **_scaling(
                "UsersReadScaling", "dynamodb:table:ReadCapacityUnits", _join("table/", {"Ref": "Users"}), 2, 20, 75
            ),
            **_scaling(
                "UsersWriteScaling", "dynamodb:table:WriteCapacityUnits", _join("table/", {"Ref": "Users"}), 3, 30, 50
            ),
            **_scaling(
                "UsersIndexReadScaling",
                "dynamodb:index:ReadCapacityUnits",
                _join("table/", {"Ref": "Users"}, "/index/byEmail"),
                1,
                10,
                70,
            ),
        }
    }
    users, other = read_tables(template)
    assert (users.logical_id, users.type, users.is_global_table) == ("Users", TABLE, False)
    assert users.billing_mode == "PROVISIONED" and users.provisioned
    # The scaling target's bounds and the policy's target replace the fixed ProvisionedThroughput.
    assert users.write == Capacity(Decimal(3), Decimal(30), Decimal(50))
    (replica,) = users.replicas
    assert replica.table_level and replica.region is None
    assert replica.read == Capacity(Decimal(2), Decimal(20), Decimal(75))
    assert replica.index_reads == {"byEmail": Capacity(Decimal(1), Decimal(10), Decimal(70))}
    # The index's writes are not autoscaled: its own ProvisionedThroughput.
    (gsi,) = users.gsis
    assert gsi.write == Capacity(Decimal(6), Decimal(6)) and not gsi.write.autoscaled
    assert gsi.key_schema() == [{"AttributeName": "email", "KeyType": "HASH"}]
    # The other table in the same template is not touched by Users' scaling.
    assert other.write == Capacity(Decimal(5), Decimal(5))
    assert other.replicas[0].read == Capacity(Decimal(5), Decimal(5))
    assert other.replicas[0].index_reads == {"byEmail": Capacity(Decimal(5), Decimal(5))}
    # ProvisionedThroughput is a table property the model does not type.
    assert users.other["ProvisionedThroughput"] == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}


def test_classic_table_autoscaling_written_with_fn_sub() -> None:
    # A hand-written template names the table in ResourceId with Fn::Sub rather than Fn::Join.
    template = {
        "Resources": {
            "Users": _classic("users"),
            **_scaling(
                "UsersWriteScaling", "dynamodb:table:WriteCapacityUnits", {"Fn::Sub": "table/${Users}"}, 3, 30, 50
            ),
            **_scaling(
                "UsersIndexReadScaling",
                "dynamodb:index:ReadCapacityUnits",
                {"Fn::Sub": "table/${Users}/index/byEmail"},
                1,
                10,
                70,
            ),
        }
    }
    table = _only(template)
    assert table.write == Capacity(Decimal(3), Decimal(30), Decimal(50))
    assert table.replicas[0].read == Capacity(Decimal(5), Decimal(5))
    assert table.replicas[0].index_reads == {"byEmail": Capacity(Decimal(1), Decimal(10), Decimal(70))}


def test_classic_table_index_autoscaling_joined_with_a_separator() -> None:
    # Fn::Join with "/" as separator: the index is still told apart from the table.
    resource_id = {"Fn::Join": ["/", ["table", {"Ref": "Users"}, "index", "byEmail"]]}
    template = {
        "Resources": {
            "Users": _classic("users"),
            **_scaling("UsersIndexReadScaling", "dynamodb:index:ReadCapacityUnits", resource_id, 1, 10, 70),
        }
    }
    table = _only(template)
    assert table.replicas[0].read == Capacity(Decimal(5), Decimal(5))
    assert table.replicas[0].index_reads == {"byEmail": Capacity(Decimal(1), Decimal(10), Decimal(70))}


def test_classic_table_level_pitr_deletion_protection_tags_and_class() -> None:
    template = {
        "Resources": {
            "Audit": {
                "Type": TABLE,
                "DeletionPolicy": "Snapshot",
                "Properties": {
                    "TableName": "audit",
                    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "B"}],
                    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                    "BillingMode": "PAY_PER_REQUEST",
                    "OnDemandThroughput": {"MaxReadRequestUnits": 40, "MaxWriteRequestUnits": 30},
                    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                    "DeletionProtectionEnabled": True,
                    "TableClass": "STANDARD_INFREQUENT_ACCESS",
                    "ContributorInsightsSpecification": {"Enabled": True},
                    "Tags": _tags(system="ledger", table="audit", stage="staging"),
                },
            }
        }
    }
    table = _only(template)
    assert table.deletion_policy == "Snapshot" and table.update_replace_policy == "Delete"
    assert table.keys == {"HASH": Key("id", "B")} and table.sort_key is None
    assert table.on_demand and table.write is None
    assert table.max_write_request_units == Decimal(30) and table.max_read_request_units == Decimal(40)
    (replica,) = table.replicas
    assert replica.table_level and replica.region is None and replica.region_or("eu-central-1") == "eu-central-1"
    assert (replica.pitr, replica.pitr_days) == (True, Decimal(35))  # DynamoDB's default window
    assert replica.deletion_protection and replica.contributor_insights and not replica.kinesis_stream
    assert replica.table_class == "STANDARD_INFREQUENT_ACCESS"
    assert replica.tags == {"system": "ledger", "table": "audit", "stage": "staging"}
    assert replica.other == {
        "TableClass": "STANDARD_INFREQUENT_ACCESS",
        "ContributorInsightsSpecification": {"Enabled": True},
    }
    assert table.primary is replica
    assert table.pitr_everywhere and all(r.deletion_protection for r in table.replicas)
    assert (table.system, table.stage, table.catalog_table, table.tags["table"]) == (
        "ledger",
        "staging",
        "audit",
        "audit",
    )
    assert table.other == {"OnDemandThroughput": {"MaxReadRequestUnits": 40, "MaxWriteRequestUnits": 30}}
    assert table.declared == {}


def test_classic_table_defaults() -> None:
    table = _only({"Resources": {"T": _classic("t", gsi=False)}})
    (replica,) = table.replicas
    assert replica.table_class == "STANDARD"
    assert (replica.pitr, replica.pitr_days, replica.deletion_protection, replica.tags) == (False, None, False, {})
    assert table.gsis == [] and table.lsis == []
    assert table.write == Capacity(Decimal(5), Decimal(5)) and replica.read == Capacity(Decimal(5), Decimal(5))


# --- intrinsics, TTL, SSE -----------------------------------------------------------------


def test_billing_mode_fn_if_stays_an_intrinsic() -> None:
    billing = {"Fn::If": ["IsProd", "PROVISIONED", "PAY_PER_REQUEST"]}
    resource = _classic("t", gsi=False)
    resource["Properties"]["BillingMode"] = billing
    resource["Properties"]["TableName"] = {"Fn::Sub": "t-${AWS::Region}"}
    table = _only({"Resources": {"T": resource}})
    assert table.billing_mode == Intrinsic(billing)
    assert not table.provisioned and not table.on_demand
    assert table.table_name == Intrinsic({"Fn::Sub": "t-${AWS::Region}"})


def test_capacity_given_by_a_ref_is_an_intrinsic() -> None:
    resource = _classic("t", gsi=False)
    resource["Properties"]["ProvisionedThroughput"]["ReadCapacityUnits"] = {"Ref": "ReadUnits"}
    table = _only({"Resources": {"T": resource}})
    read = table.replicas[0].read
    assert read is not None and read.min == Intrinsic({"Ref": "ReadUnits"})


def test_throughput_settings_given_by_an_intrinsic_are_unknown_not_absent() -> None:
    """A GlobalTable's write settings from a parameter are some capacity, not none (which prices as $0)."""
    template = _provisioned_global_table()
    props = template["Resources"]["Orders"]["Properties"]
    props["WriteProvisionedThroughputSettings"] = {"Ref": "WriteSettings"}
    props["Replicas"][0]["ReadProvisionedThroughputSettings"] = {"Fn::If": ["Big", {"ReadCapacityUnits": 9}, {}]}
    table = _only(template)
    assert table.write == Capacity(Intrinsic({"Ref": "WriteSettings"}), Intrinsic({"Ref": "WriteSettings"}))
    read = table.replicas[0].read
    assert read is not None and isinstance(read.min, Intrinsic) and "Fn::If" in read.min.value


def test_ttl_disabled_has_no_ttl_attribute() -> None:
    resource = _classic("t", gsi=False)
    resource["Properties"]["TimeToLiveSpecification"] = {"AttributeName": "expires", "Enabled": False}
    assert _only({"Resources": {"T": resource}}).ttl_attribute is None
    resource["Properties"]["TimeToLiveSpecification"]["Enabled"] = True
    assert _only({"Resources": {"T": resource}}).ttl_attribute == "expires"


def test_sse_absent_disabled_and_kms() -> None:
    resource = _classic("t", gsi=False)
    absent = _only({"Resources": {"T": resource}}).sse
    # Absent: encrypted with the AWS-owned key, but the template does not say so.
    assert (absent.enabled, absent.declared, absent.kind, absent.kms_key) == (None, False, "aws_owned", None)

    resource["Properties"]["SSESpecification"] = {"SSEEnabled": False}
    disabled = _only({"Resources": {"T": resource}}).sse
    # SSEEnabled false is not "unencrypted": it states the AWS-owned key.
    assert (disabled.enabled, disabled.declared, disabled.kind) == (False, True, "aws_owned")

    resource["Properties"]["SSESpecification"] = {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/k"}
    kms = _only({"Resources": {"T": resource}}).sse
    assert (kms.enabled, kms.sse_type, kms.kms_key, kms.declared, kms.kind) == (True, "KMS", "alias/k", True, "kms")

    resource["Properties"]["SSESpecification"] = {"SSEEnabled": {"Fn::If": ["C", True, False]}}
    unknown = _only({"Resources": {"T": resource}}).sse
    assert (unknown.declared, unknown.kind) == (False, "unknown")


def test_encryption_kind_of_each_key() -> None:
    """DynamoDB: SSEEnabled false or absent is the AWS owned key; true is KMS, the AWS managed key
    aws/dynamodb unless KMSMasterKeyId names another (a GlobalTable names it per replica)."""
    resource = _classic("t", gsi=False)
    props = resource["Properties"]
    assert _only({"Resources": {"T": resource}}).encryption == "aws_owned"
    props["SSESpecification"] = {"SSEEnabled": True, "SSEType": "KMS"}
    assert _only({"Resources": {"T": resource}}).encryption == "aws_managed"
    props["SSESpecification"]["KMSMasterKeyId"] = "alias/aws/dynamodb"
    assert _only({"Resources": {"T": resource}}).encryption == "aws_managed"
    props["SSESpecification"]["KMSMasterKeyId"] = {"Fn::GetAtt": ["Key", "Arn"]}
    assert _only({"Resources": {"T": resource}}).encryption == "customer_managed"
    props["SSESpecification"] = {"SSEEnabled": {"Ref": "Encrypt"}}
    assert _only({"Resources": {"T": resource}}).encryption == "unknown"

    key = {"SSESpecification": {"KMSMasterKeyId": "arn:aws:kms:us-east-1:111111111111:key/k"}}
    global_table = {
        "Type": GLOBAL_TABLE,
        "Properties": {
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
            "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS"},
            "Replicas": [{"Region": "us-east-1", **key}, {"Region": "eu-west-1", **key}],
        },
    }
    assert _only({"Resources": {"G": global_table}}).encryption == "customer_managed"
    # The weakest replica decides: one on the AWS managed key makes the table's encryption that.
    del global_table["Properties"]["Replicas"][1]["SSESpecification"]
    assert _only({"Resources": {"G": global_table}}).encryption == "aws_managed"


def test_index_maximum_read_request_units() -> None:
    """A GlobalTable caps an index's on-demand reads per replica, a plain Table in the index's OnDemandThroughput."""
    resource = _classic("t")
    props = resource["Properties"]
    props["BillingMode"] = "PAY_PER_REQUEST"
    props.pop("ProvisionedThroughput")
    index = props["GlobalSecondaryIndexes"][0]
    index.pop("ProvisionedThroughput")
    index["OnDemandThroughput"] = {"MaxReadRequestUnits": 40, "MaxWriteRequestUnits": 20}
    table = _only({"Resources": {"T": resource}})
    assert table.replicas[0].index_max_reads == {"byEmail": Decimal(40)}
    assert table.gsis[0].max_write_request_units == Decimal(20)

    global_table = {
        "Type": GLOBAL_TABLE,
        "Properties": {
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
            "Replicas": [
                {
                    "Region": "us-east-1",
                    "GlobalSecondaryIndexes": [
                        {"IndexName": "byEmail", "ReadOnDemandThroughputSettings": {"MaxReadRequestUnits": 30}}
                    ],
                }
            ],
        },
    }
    assert _only({"Resources": {"G": global_table}}).replicas[0].index_max_reads == {"byEmail": Decimal(30)}


def test_non_table_resources_are_ignored_and_order_is_kept() -> None:
    template = {
        "Resources": {
            "B": _classic("b", gsi=False),
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
            "A": _classic("a", gsi=False),
        }
    }
    assert [t.logical_id for t in read_tables(template)] == ["B", "A"]
    assert read_tables({}) == []


def test_feature_blocks_count_as_enabled_only_when_on() -> None:
    """Contributor Insights costs money when Enabled is true, absent or undecidable; not when false/0/null."""

    def insights(spec: Any) -> bool:
        template = {
            "Resources": {
                "T": {
                    "Type": "AWS::DynamoDB::Table",
                    "Properties": {
                        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                        "BillingMode": "PAY_PER_REQUEST",
                        "ContributorInsightsSpecification": spec,
                    },
                }
            }
        }
        (table,) = read_tables(template)
        return table.replicas[0].contributor_insights

    assert insights({"Enabled": True})
    assert insights({"Enabled": {"Fn::If": ["C", True, False]}})
    for off in ({"Enabled": False}, {"Enabled": 0}, {"Enabled": None}, None):
        assert not insights(off), off


def test_resource_policy_per_replica_and_at_a_classic_table() -> None:
    """CloudFormation: GlobalTable ``Replicas[].ResourcePolicy`` and Table ``ResourcePolicy``, each
    ``{PolicyDocument: ...}``. The document is the replica's; the declared property stays where it
    was declared, for the review's generic comparison."""
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "dynamodb:GetItem"}],
    }
    template = _provisioned_global_table()
    replicas = template["Resources"]["Orders"]["Properties"]["Replicas"]
    replicas[1]["ResourcePolicy"] = {"PolicyDocument": document}
    table = _only(template)
    assert [r.resource_policy for r in table.replicas] == [None, document]
    assert table.replicas[1].other["ResourcePolicy"] == {"PolicyDocument": document}

    classic = _classic("audit")
    classic["Properties"]["ResourcePolicy"] = {"PolicyDocument": document}
    table = _only({"Resources": {"Audit": classic}})
    assert table.primary.resource_policy == document
    assert table.other["ResourcePolicy"] == {"PolicyDocument": document}
    assert _only({"Resources": {"Audit": _classic("audit")}}).primary.resource_policy is None
