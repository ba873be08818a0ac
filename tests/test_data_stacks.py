"""Fine-grained assertions on the synthesized data stacks.

Expected values are the seeds' stated values and AWS's documented behaviour,
written out here; nothing is read back from the catalog.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from tests.conftest import Synthesized

STAGES = ("Dev", "Staging", "Prod")

# 000, "Table Structure": (read capacity, write capacity) of the provisioned tables.
PROVISIONED = {"auxeira-projects": (5, 2), "auxeira-leaderboard": (10, 3), "auxeira-user-activity": (2, 5)}

# TTL: 000 "TTL for automatic cleanup: Old reports and activity logs"; 001 notifications.expires_at;
# 003's tables with is_synthetic + expires_at (companies -> startup-profiles).
TTL_TABLES = {
    "auxeira-esg-reports",
    "auxeira-user-activity",
    "auxeira-notifications",
    "auxeira-startup-profiles",
    "auxeira-investments",
    "auxeira-portfolio-metrics",
    "auxeira-esg-metrics",
    "auxeira-economic-impact",
    "auxeira-corporate-partnerships",
    "auxeira-token-transactions",
}

# table -> {index: (partition key, sort key)}; from 003's CREATE INDEX lines, 004's
# "Global Secondary Index" lines and the access patterns 001/000 name.
GSIS: dict[str, dict[str, tuple[str, str | None]]] = {
    "auxeira-users": {"email-index": ("email", None), "user-type-status-index": ("user_type", "subscription_status")},
    "auxeira-user-startup-mapping": {"inverted-index": ("SK", "PK")},
    "auxeira-startup-profiles": {"user-id-index": ("user_id", None), "industry-stage-index": ("industry", "stage")},
    "auxeira-activity-submissions": {
        "startup-index": ("startup_id", "submission_date"),
        "status-index": ("submission_status", "submission_date"),
    },
    "auxeira-peer-assessments": {"submission-index": ("submission_id", "assessment_date")},
    "auxeira-event-registrations": {"event-index": ("event_id", "registration_date")},
    "auxeira-partner-activations": {"startup-index": ("startup_id", "activation_date")},
    "auxeira-investor-matches": {"startup-score-index": ("startup_id", "match_score")},
    "auxeira-documents": {"startup-index": ("startup_id", "upload_date")},
    "auxeira-user-sessions": {"user-index": ("user_id", "session_start")},
    "auxeira-leaderboard": {"score-index": ("leaderboard_id", "score")},
    "auxeira-user-activity": {
        "user-event-type-index": ("user_id", "event_type"),
        "dashboard-created-index": ("dashboard_type", "created_at"),
    },
    "auxeira-investments": {"investor-id-index": ("investor_id", None), "company-id-index": ("company_id", None)},
    "auxeira-portfolio-metrics": {"investor-date-index": ("investor_id", "metric_date")},
    "auxeira-esg-metrics": {"company-date-index": ("company_id", "metric_date")},
    "auxeira-token-transactions": {"user-created-index": ("user_id", "created_at")},
    "auxeira-subscription-events": {"user-event-type-index": ("user_id", "event_type")},
    "transcription-users": {"email-index": ("email", None)},
    "transcription-transactions": {"user-id-index": ("user_id", None)},
}


def by_base_name(synth: Synthesized, stage: str) -> dict[str, dict[str, Any]]:
    suffix = f"-{stage.lower()}"
    return {r["Properties"]["TableName"].removesuffix(suffix): r for _, _, r in synth.tables(stage)}


def replica(resource: dict[str, Any]) -> dict[str, Any]:
    replicas = resource["Properties"]["Replicas"]
    assert len(replicas) == 1, "no replica regions are configured by default"
    return replicas[0]


@pytest.mark.parametrize("stage", STAGES)
def test_provisioned_tables_have_the_seed_capacity(synth: Synthesized, stage: str) -> None:
    tables = by_base_name(synth, stage)
    for name, (read, write) in PROVISIONED.items():
        props = tables[name]["Properties"]
        assert props["BillingMode"] == "PROVISIONED"
        assert replica(tables[name])["ReadProvisionedThroughputSettings"] == {"ReadCapacityUnits": read}
        # TableV2 requires autoscaled writes: the stated capacity is the minimum.
        scaling = props["WriteProvisionedThroughputSettings"]["WriteCapacityAutoScalingSettings"]
        assert scaling["MinCapacity"] == write
        assert scaling["MaxCapacity"] > write
        for gsi in props.get("GlobalSecondaryIndexes", []):
            assert gsi["WriteProvisionedThroughputSettings"]["WriteCapacityAutoScalingSettings"]["MinCapacity"] == write


@pytest.mark.parametrize("stage", STAGES)
def test_everything_else_is_on_demand(synth: Synthesized, stage: str) -> None:
    tables = by_base_name(synth, stage)
    on_demand = {name for name, r in tables.items() if r["Properties"]["BillingMode"] == "PAY_PER_REQUEST"}
    assert on_demand == set(tables) - set(PROVISIONED)
    # 000 names these three pay-per-request explicitly.
    assert {"auxeira-users", "auxeira-esg-profiles", "auxeira-esg-reports"} <= on_demand


def test_on_demand_cost_guard_follows_the_stage(synth: Synthesized) -> None:
    dev = by_base_name(synth, "Dev")["transcription-usage"]
    assert dev["Properties"]["WriteOnDemandThroughputSettings"] == {"MaxWriteRequestUnits": 100}
    assert replica(dev)["ReadOnDemandThroughputSettings"] == {"MaxReadRequestUnits": 200}
    prod = by_base_name(synth, "Prod")["transcription-usage"]
    assert "WriteOnDemandThroughputSettings" not in prod["Properties"]


@pytest.mark.parametrize("stage", STAGES)
def test_ttl_tables(synth: Synthesized, stage: str) -> None:
    tables = by_base_name(synth, stage)
    with_ttl = {
        name: r["Properties"]["TimeToLiveSpecification"]
        for name, r in tables.items()
        if "TimeToLiveSpecification" in r["Properties"]
    }
    assert set(with_ttl) == TTL_TABLES
    assert all(spec == {"AttributeName": "expires_at", "Enabled": True} for spec in with_ttl.values())


@pytest.mark.parametrize("stage,days", [("Dev", 7), ("Staging", 14), ("Prod", 35)])
def test_pitr_on_every_table(synth: Synthesized, stage: str, days: int) -> None:
    for name, resource in by_base_name(synth, stage).items():
        spec = replica(resource)["PointInTimeRecoverySpecification"]
        assert spec == {"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": days}, name


@pytest.mark.parametrize("stage", ["Staging", "Prod"])
def test_protected_stages_retain_and_protect(synth: Synthesized, stage: str) -> None:
    for name, resource in by_base_name(synth, stage).items():
        assert resource["DeletionPolicy"] == "Retain", name
        assert resource["UpdateReplacePolicy"] == "Retain", name
        assert replica(resource)["DeletionProtectionEnabled"] is True, name
        assert resource["Properties"]["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}


def test_dev_may_be_destroyed(synth: Synthesized) -> None:
    for name, resource in by_base_name(synth, "Dev").items():
        assert resource["DeletionPolicy"] == "Delete", name
        assert replica(resource)["DeletionProtectionEnabled"] is False, name


def test_data_stack_termination_protection(synth: Synthesized) -> None:
    manifests = {
        stage: json.loads((synth.outdir / f"assembly-{stage}" / "manifest.json").read_text()) for stage in STAGES
    }
    for stage, manifest in manifests.items():
        stacks = [a for a in manifest["artifacts"].values() if a["type"] == "aws:cloudformation:stack"]
        data = [a for a in stacks if a["displayName"].endswith("Data")]
        assert len(data) == 3
        for artifact in data:
            assert artifact["properties"].get("terminationProtection", False) is (stage != "Dev")


@pytest.mark.parametrize("stage", STAGES)
def test_gsis(synth: Synthesized, stage: str) -> None:
    tables = by_base_name(synth, stage)
    actual: dict[str, dict[str, tuple[str, str | None]]] = {}
    for name, resource in tables.items():
        for gsi in resource["Properties"].get("GlobalSecondaryIndexes", []):
            keys = {k["KeyType"]: k["AttributeName"] for k in gsi["KeySchema"]}
            actual.setdefault(name, {})[gsi["IndexName"]] = (keys["HASH"], keys.get("RANGE"))
            assert gsi["Projection"] == {"ProjectionType": "ALL"}
    assert actual == GSIS


def test_tags_names_outputs_and_parameters(synth: Synthesized) -> None:
    template = Template.from_json(synth.template("Prod/AuxeiraData"))
    template.resource_count_is("AWS::DynamoDB::GlobalTable", 29)
    template.resource_count_is("AWS::SSM::Parameter", 58)
    template.has_resource_properties(
        "AWS::DynamoDB::GlobalTable",
        {
            # 001: "Table 1: auxeira-users-prod"
            "TableName": "auxeira-users-prod",
            "Replicas": [
                Match.object_like(
                    {
                        "Tags": Match.array_with(
                            [
                                {"Key": "stage", "Value": "prod"},
                                {"Key": "system", "Value": "auxeira"},
                                {"Key": "table", "Value": "users"},
                            ]
                        )
                    }
                )
            ],
        },
    )
    template.has_resource_properties(
        "AWS::SSM::Parameter",
        {"Name": "/auxeira/prod/dynamodb/users/name", "Value": "auxeira-users-prod"},
    )
    template.has_resource_properties(
        "AWS::SSM::Parameter",
        {
            "Name": "/auxeira/prod/dynamodb/users/arn",
            "Value": {"Fn::GetAtt": [Match.string_like_regexp("^UsersTable"), "Arn"]},
        },
    )
    outputs = synth.template("Prod/AuxeiraData")["Outputs"]
    assert len(outputs) == 58
    assert {o["Description"] for o in outputs.values()} >= {
        "auxeira-users-prod table name",
        "auxeira-users-prod table arn",
    }


def test_every_table_is_tagged_system_table_stage(synth: Synthesized) -> None:
    for stage in STAGES:
        for name, resource in by_base_name(synth, stage).items():
            tags = {t["Key"]: t["Value"] for t in replica(resource)["Tags"]}
            system, table = name.split("-", 1)
            assert tags == {"system": system, "table": table, "stage": stage.lower()}


def test_no_literal_account_in_templates(synth: Synthesized) -> None:
    # Account and region come from the environment; templates use pseudo parameters.
    for name, template in synth.templates.items():
        assert "111111111111" not in json.dumps(template), name
