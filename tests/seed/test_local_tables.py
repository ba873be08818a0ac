"""Tables on DynamoDB Local are exactly what the synthesized template declares."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from seed.cli import main
from seed.local import _create_request
from tableforge.assembly import read_assembly
from tableforge.model import read_tables
from tests.raw import TABLE_TYPES


def _template_tables(synth: Any) -> dict[str, dict[str, Any]]:
    out = {}
    for stack in read_assembly(Path(synth.outdir)):
        if stack.stage != "Dev":
            continue
        for _, resource in stack.resources(*TABLE_TYPES):
            out[resource["Properties"]["TableName"]] = resource["Properties"]
    return out


def _keys(schema: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(k["AttributeName"], k["KeyType"]) for k in schema]


def test_local_tables_match_the_template(synth: Any, ns: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["local-tables", "--stage", "dev", "--endpoint-url", ns.endpoint, "--cdk-out", str(synth.outdir)])
    out, err = capsys.readouterr()
    assert code == 0, err
    template = _template_tables(synth)
    assert len(template) > 0
    listed = ns.client.list_tables()["TableNames"]
    assert sorted(listed) == sorted(template)
    for name, props in template.items():
        live = ns.client.describe_table(TableName=name)["Table"]
        assert _keys(live["KeySchema"]) == _keys(props["KeySchema"]), name
        assert {(a["AttributeName"], a["AttributeType"]) for a in live["AttributeDefinitions"]} == {
            (a["AttributeName"], a["AttributeType"]) for a in props["AttributeDefinitions"]
        }, name
        live_gsis = {g["IndexName"]: _keys(g["KeySchema"]) for g in live.get("GlobalSecondaryIndexes", [])}
        assert live_gsis == {g["IndexName"]: _keys(g["KeySchema"]) for g in props.get("GlobalSecondaryIndexes", [])}
        ttl = ns.client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if "TimeToLiveSpecification" in props:
            assert ttl["TimeToLiveStatus"] == "ENABLED", name
            assert ttl["AttributeName"] == props["TimeToLiveSpecification"]["AttributeName"]
        else:
            assert ttl["TimeToLiveStatus"] == "DISABLED", name


def test_provisioned_capacity_is_000s(synth: Any, ns: Any) -> None:
    """000: leaderboard 'Provisioned (10/3)', user-activity 'Provisioned (2/5)'; writes are
    autoscaled with the stated value as the minimum, which is what a fresh table gets."""
    ns.create("auxeira-leaderboard-dev", "auxeira-user-activity-dev", "auxeira-projects-dev")
    for name, (read, write) in {
        "auxeira-leaderboard-dev": (10, 3),
        "auxeira-user-activity-dev": (2, 5),
        "auxeira-projects-dev": (5, 2),
    }.items():
        pt = ns.client.describe_table(TableName=name)["Table"]["ProvisionedThroughput"]
        assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]) == (read, write), name


def test_rerun_keeps_tables_and_refuses_a_changed_schema(
    ns: Any, synth: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["local-tables", "--stage", "dev", "--endpoint-url", ns.endpoint, "--cdk-out", str(synth.outdir)]
    ns.client.create_table(
        TableName="auxeira-events-dev",
        KeySchema=[{"AttributeName": "event_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "event_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert main(args) != 0
    assert "auxeira-events-dev exists with a different key schema" in capsys.readouterr().err
    assert main([*args, "--recreate"]) == 0
    capsys.readouterr()
    assert main(args) == 0
    assert "auxeira-events-dev: exists" in capsys.readouterr().out
    live = ns.client.describe_table(TableName="auxeira-events-dev")["Table"]
    assert _keys(live["KeySchema"]) == [("PK", "HASH"), ("SK", "RANGE")]


def test_local_tables_refuses_a_remote_endpoint(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["local-tables", "--stage", "dev", "--endpoint-url", "https://dynamodb.us-east-1.amazonaws.com"])
    assert code != 0
    assert "not a loopback address" in capsys.readouterr().err


def test_classic_table_request_follows_cloudformation_defaults() -> None:
    """A provisioned AWS::DynamoDB::Table as CDK's Table emits it: no BillingMode (CloudFormation's
    default is PROVISIONED), ProvisionedThroughput, and autoscaled writes whose minimum a fresh
    table starts at."""
    template = {
        "Resources": {
            "Users": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "TableName": "shop-users-dev",
                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                    "ProvisionedThroughput": {"ReadCapacityUnits": 4, "WriteCapacityUnits": 5},
                    "StreamSpecification": {"StreamViewType": "KEYS_ONLY"},
                    "Tags": [{"Key": "system", "Value": "shop"}, {"Key": "stage", "Value": "dev"}],
                },
            },
            "WriteTarget": {
                "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
                "Properties": {
                    "MinCapacity": 2,
                    "MaxCapacity": 20,
                    "ResourceId": {"Fn::Join": ["", ["table/", {"Ref": "Users"}]]},
                    "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                    "ServiceNamespace": "dynamodb",
                },
            },
        }
    }
    (table,) = read_tables(template)
    assert _create_request("Dev/ShopData", "Users", table) == {
        "TableName": "shop-users-dev",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PROVISIONED",
        "ProvisionedThroughput": {"ReadCapacityUnits": 4, "WriteCapacityUnits": 2},
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
        "Tags": [{"Key": "system", "Value": "shop"}, {"Key": "stage", "Value": "dev"}],
    }
