"""Issue 13, "Safety nets that hold": stacks by stack name, every stage safeguard, wildcards and open trust.

The expected classification of each pair comes from the documented behaviour of
CloudFormation and DynamoDB, not from the implementation:

* CloudFormation identifies a stack by its name (per account and region); a construct path
  is a CDK notion. ``cdk deploy`` deploys the stacks of the app and never deletes one that
  left it, and creating a resource whose physical name exists fails ("already exists").
* Termination protection makes DeleteStack fail; the CDK CLI calls
  UpdateTerminationProtection on deploy to match the manifest's ``terminationProtection``.
* DynamoDB encrypts with the AWS owned key unless ``SSEEnabled`` is true (then KMS: the AWS
  managed key ``aws/dynamodb`` unless a KMSMasterKeyId names another).
* ``MaxRead/WriteRequestUnits``: DynamoDB throttles requests above the maximum; -1 removes it.
* A stream's records are read with GetRecords/GetShardIterator (or an event source mapping);
  with the stream disabled, nothing new reaches them.
* IAM matches ``*`` and ``?`` in actions and resource ARNs; ``NotAction`` allows everything
  else. A trust policy's ``Principal`` names who may assume the role.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from review.diff import review
from review.findings import Finding, Report
from tests.review.pairs import Pair, reader_role, table_id, to_classic_table

PROD = "Prod/AuxeiraData"
DATA = "Prod/TranscriptionData"
ACCESS = "Prod/TranscriptionAccess"
STAGING = "Staging/TranscriptionData"
ROOT = Path(__file__).resolve().parents[2]


def run(pair: Pair, acks: Path, **kwargs: object) -> Report:
    return review(pair.base, pair.head, acknowledged=acks, with_cost=False, **kwargs)  # type: ignore[arg-type]


def changes(report: Report, *levels: str) -> list[tuple[str, str]]:
    return sorted((f.level, f.change) for f in report.findings if not levels or f.level in levels)


def only(report: Report, change: str) -> Finding:
    matches = [f for f in report.findings if f.change == change]
    assert len(matches) == 1, [(f.change, f.logical_id) for f in report.findings]
    return matches[0]


def ack_file(tmp_path: Path, *entries: tuple[str, str]) -> Path:
    path = tmp_path / "ack.yaml"
    lines = ["acknowledged:"] + [f"  - {{stack: {s}, logical_id: {i}, reason: planned}}" for s, i in entries]
    path.write_text("\n".join(lines) + "\n")
    return path


# --- 7. stacks are matched by CloudFormation stack name --------------------------------------


def test_renamed_stack_with_fixed_name_tables_is_destructive(make_pair, no_acks):
    """Same construct path, new stackName: CloudFormation sees a new stack, whose tables clash by name."""
    pair = make_pair()
    with pair.artifact("head", DATA) as artifact:
        assert artifact["properties"]["stackName"] == "transcription-prod-data"
        artifact["properties"]["stackName"] = "transcription-prod-tables"
    report = run(pair, no_acks)
    moved = [f for f in report.findings if f.change == "stack-changed"]
    assert sorted(f.table for f in moved) == ["transactions", "usage", "users"]
    for finding in moved:
        assert finding.level == "destructive" and finding.blocking
        assert (finding.stack_name, finding.detail["new_stack_name"]) == (
            "transcription-prod-data",
            "transcription-prod-tables",
        )
        assert "already exists" in finding.reason and "left behind" in finding.reason
    stack = only(report, "stack-renamed")
    assert stack.level == "risky" and "transcription-prod-data" in stack.reason
    assert "never deletes a stack" in stack.reason
    assert report.exit_code == 1


def test_renamed_stack_with_generated_table_names_is_destructive(make_pair, no_acks):
    """Without a fixed name the new stack creates new, empty tables; the data stays in the old stack."""
    pair = make_pair()
    for side in ("base", "head"):
        with pair.edit(side, DATA) as template:
            for resource in template["Resources"].values():
                if resource["Type"] == "AWS::DynamoDB::GlobalTable":
                    del resource["Properties"]["TableName"]
    with pair.artifact("head", DATA) as artifact:
        artifact["properties"]["stackName"] = "transcription-prod-tables"
    report = run(pair, no_acks)
    moved = [f for f in report.findings if f.change == "stack-changed"]
    assert len(moved) == 3 and all(f.level == "destructive" and f.blocking for f in moved)
    assert all("new, empty table" in f.reason for f in moved)
    assert report.exit_code == 1


def test_changed_construct_path_with_the_same_stack_name_is_not_destructive(make_pair, no_acks):
    """A new construct ID with a fixed stackName: CloudFormation updates the same stack; nothing changes."""
    pair = make_pair()
    pair.move_construct("head", DATA, "Prod/TranscriptionTables")
    pair.move_construct("head", ACCESS, "Prod/TranscriptionRoles")
    report = run(pair, no_acks)
    assert changes(report) == [("safe", "stack-path-changed"), ("safe", "stack-path-changed")]
    assert report.security == []
    assert report.exit_code == 0


def test_stage_filter_matches_stacks_by_name_too(make_pair, no_acks):
    pair = make_pair()
    pair.move_construct("head", DATA, "Prod/TranscriptionTables")
    report = run(pair, no_acks, stage="prod")
    assert changes(report) == [("safe", "stack-path-changed")] and report.exit_code == 0


def _move_usage_to_auxeira(pair: Pair) -> str:
    """The usage table moves from the transcription data stack to auxeira's, same logical ID."""
    with pair.edit("head", DATA) as template:
        usage = table_id(template, "usage")
        resource = template["Resources"].pop(usage)
    with pair.edit("head", PROD) as template:
        assert usage not in template["Resources"]
        template["Resources"][usage] = resource
    return usage


def test_table_moved_between_stacks_is_destructive(make_pair, no_acks):
    pair = make_pair()
    usage = _move_usage_to_auxeira(pair)
    report = run(pair, no_acks)
    finding = only(report, "stack-changed")
    assert (finding.level, finding.logical_id, finding.stack_name) == ("destructive", usage, "transcription-prod-data")
    assert finding.detail["new_stack_name"] == "auxeira-prod-data"
    # Prod retains: the old stack orphans the table; the new one cannot create it under the same name.
    assert "orphans it" in finding.reason and "fails while a table of that name exists" in finding.reason
    assert report.exit_code == 1


@pytest.mark.parametrize(
    "stack", ["Prod/TranscriptionData", "transcription-prod-data", "Prod/AuxeiraData", "auxeira-prod-data"]
)
def test_acknowledgement_of_a_moved_table_may_name_either_stack(make_pair, tmp_path, stack):
    pair = make_pair()
    usage = _move_usage_to_auxeira(pair)
    report = run(pair, ack_file(tmp_path, (stack, usage)))
    finding = only(report, "stack-changed")
    assert finding.acknowledged and not finding.blocking
    assert report.exit_code == 0 and report.unused_acknowledgements == []


@pytest.mark.parametrize(
    "stack", ["Prod/TranscriptionData", "transcription-prod-data", "Prod/TranscriptionTables", "transcription-tables"]
)
def test_acknowledgement_of_a_renamed_stack_may_name_either_stack(make_pair, tmp_path, stack):
    pair = make_pair()
    pair.move_construct("head", DATA, "Prod/TranscriptionTables")
    with pair.artifact("head", "Prod/TranscriptionTables") as artifact:
        artifact["properties"]["stackName"] = "transcription-tables"
    users = table_id(pair.template("base", DATA), "users")
    report = run(pair, ack_file(tmp_path, (stack, users)))
    acknowledged = {f.table: f.acknowledged for f in report.findings if f.change == "stack-changed"}
    assert acknowledged == {"users": True, "usage": False, "transactions": False}
    assert report.exit_code == 1  # the two others still block


# --- 8. every safeguard of the README's stage table is guarded --------------------------------


def test_termination_protection_off_is_risky(make_pair, no_acks):
    pair = make_pair()
    with pair.artifact("head", PROD) as artifact:
        assert artifact["properties"]["terminationProtection"] is True
        artifact["properties"]["terminationProtection"] = False
    report = run(pair, no_acks)
    finding = only(report, "termination-protection-disabled")
    assert (finding.level, finding.stack, finding.stack_name) == ("risky", PROD, "auxeira-prod-data")
    assert "DeleteStack" in finding.reason and "orphans its 29 table(s)" in finding.reason  # prod retains
    assert changes(report) == [("risky", "termination-protection-disabled")]
    assert report.exit_code == 0


def test_termination_protection_on_is_safe(make_pair, no_acks):
    pair = make_pair()
    with pair.artifact("base", PROD) as artifact:
        artifact["properties"]["terminationProtection"] = False
    assert changes(run(pair, no_acks)) == [("safe", "termination-protection-enabled")]


def _users(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"][table_id(template, "users")]


# --- a new table in a protected stage has the stage's safeguards -------------------------------

DEV_DATA = "Dev/TranscriptionData"


def _add_users_copy(pair: Pair, stack: str, **replica_changes: Any) -> dict[str, Any]:
    """A new table in ``stack``'s head: the users table under another name and logical ID."""
    with pair.edit("head", stack) as template:
        resource = json.loads(json.dumps(_users(template)))
        resource["Properties"]["TableName"] += "-archive"
        for replica in resource["Properties"]["Replicas"]:
            replica.update(replica_changes)
        template["Resources"]["UsersArchiveTable0A1B2C3D"] = resource
    return resource


def test_a_new_table_with_the_stage_safeguards_is_safe(make_pair, no_acks):
    pair = make_pair()
    resource = _add_users_copy(pair, DATA)
    assert resource["DeletionPolicy"] == "Retain"  # prod keeps data (the stage config)
    assert resource["Properties"]["Replicas"][0]["DeletionProtectionEnabled"] is True
    assert changes(run(pair, no_acks)) == [("safe", "table-added")]


@pytest.mark.parametrize(
    ("replica", "policy", "missing"),
    [
        pytest.param({"DeletionProtectionEnabled": False}, "Retain", ["deletion protection"], id="no-protection"),
        pytest.param(
            {"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": False}},
            "Retain",
            ["point-in-time recovery"],
            id="no-pitr",
        ),
        pytest.param({}, "Delete", ["a retaining DeletionPolicy (it is Delete)"], id="deleted-with-its-stack"),
    ],
)
def test_a_new_table_without_a_safeguard_in_a_protected_stage_is_risky(make_pair, no_acks, replica, policy, missing):
    """Switching deletion protection or PITR off an existing prod table is risky; a new prod table
    born without them is the same exposure once it holds data. Reported, not blocking."""
    pair = make_pair()
    _add_users_copy(pair, DATA, **replica)
    with pair.edit("head", DATA) as template:
        template["Resources"]["UsersArchiveTable0A1B2C3D"]["DeletionPolicy"] = policy
    report = run(pair, no_acks)
    finding = only(report, "table-added-unprotected")
    assert (finding.level, finding.stage, finding.blocking) == ("risky", "prod", False)
    assert f"without {', '.join(missing)}:" in finding.reason
    assert changes(report) == [("risky", "table-added-unprotected")]
    assert report.exit_code == 0


def test_a_new_dev_table_without_safeguards_is_safe(make_pair, no_acks):
    pair = make_pair()
    resource = _add_users_copy(pair, DEV_DATA)
    assert resource["Properties"]["Replicas"][0].get("DeletionProtectionEnabled") is not True  # dev's config
    assert changes(run(pair, no_acks)) == [("safe", "table-added")]


@pytest.mark.parametrize(
    "downgrade",
    [
        pytest.param(lambda props: props.pop("SSESpecification"), id="sse-removed"),
        pytest.param(lambda props: props.update(SSESpecification={"SSEEnabled": False}), id="sse-disabled"),
    ],
)
def test_kms_to_aws_owned_key_is_risky(make_pair, no_acks, downgrade):
    pair = make_pair()
    with pair.edit("head", PROD) as template:
        props = _users(template)["Properties"]
        assert props["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}
        downgrade(props)
    report = run(pair, no_acks)
    finding = only(report, "encryption-downgraded")
    assert finding.level == "risky" and finding.table == "users"
    assert "AWS managed KMS key" in finding.reason and "AWS owned key" in finding.reason
    assert "key policy" in finding.reason
    assert changes(report) == [("risky", "encryption-downgraded")] and report.exit_code == 0


@pytest.mark.parametrize("head_key", [None, "alias/aws/dynamodb"], ids=["no-key", "aws-managed-alias"])
def test_customer_managed_to_aws_managed_key_is_risky(make_pair, no_acks, head_key):
    pair = make_pair()
    key = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    with pair.edit("base", PROD) as template:
        _users(template)["Properties"]["Replicas"][0]["SSESpecification"] = {"KMSMasterKeyId": key}
    if head_key is not None:
        with pair.edit("head", PROD) as template:
            _users(template)["Properties"]["Replicas"][0]["SSESpecification"] = {"KMSMasterKeyId": head_key}
    finding = only(run(pair, no_acks), "encryption-downgraded")
    assert "customer managed KMS key -> the AWS managed KMS key" in finding.reason


def test_classic_table_encryption_downgrade_is_risky(make_pair, no_acks):
    pair = make_pair()
    for side in ("base", "head"):
        with pair.edit(side, PROD) as template:
            users = table_id(template, "users")
            template["Resources"][users] = to_classic_table(template["Resources"][users])
    with pair.edit("head", PROD) as template:
        del _users(template)["Properties"]["SSESpecification"]
    assert only(run(pair, no_acks), "encryption-downgraded").level == "risky"


def test_aws_owned_to_kms_key_is_safe(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("head", "Dev/AuxeiraData") as template:
        props = _users(template)["Properties"]
        assert props["SSESpecification"] == {"SSEEnabled": False}  # dev: the AWS owned key
        props["SSESpecification"] = {"SSEEnabled": True, "SSEType": "KMS"}
    assert changes(run(pair, no_acks)) == [("safe", "encryption-changed")]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            lambda p: p["WriteOnDemandThroughputSettings"].update(MaxWriteRequestUnits=100),
            ("risky", "on-demand-max-lowered"),
            id="write-lowered",
        ),
        pytest.param(
            lambda p: p["Replicas"][0]["ReadOnDemandThroughputSettings"].update(MaxReadRequestUnits=200),
            ("risky", "on-demand-max-lowered"),
            id="read-lowered",
        ),
        pytest.param(
            lambda p: p.pop("WriteOnDemandThroughputSettings"), ("risky", "on-demand-max-removed"), id="write-removed"
        ),
        pytest.param(
            lambda p: p["Replicas"][0]["ReadOnDemandThroughputSettings"].update(MaxReadRequestUnits=-1),
            ("risky", "on-demand-max-removed"),
            id="read-minus-one",
        ),
        pytest.param(
            lambda p: p["WriteOnDemandThroughputSettings"].update(MaxWriteRequestUnits=5000),
            ("safe", "on-demand-max-raised"),
            id="write-raised",
        ),
    ],
)
def test_on_demand_maximum_changes(make_pair, no_acks, edit, expected):
    """Staging caps on-demand users at 1000 reads / 500 writes per second (the README's stage table)."""
    pair = make_pair()
    with pair.edit("head", STAGING) as template:
        props = _users(template)["Properties"]
        assert props["WriteOnDemandThroughputSettings"] == {"MaxWriteRequestUnits": 500}
        assert props["Replicas"][0]["ReadOnDemandThroughputSettings"] == {"MaxReadRequestUnits": 1000}
        edit(props)
    report = run(pair, no_acks)
    assert changes(report) == [expected] and report.exit_code == 0
    if expected[1] == "on-demand-max-lowered":
        assert "throttles" in report.findings[0].reason


def test_on_demand_maximum_set_where_there_was_none_is_risky(make_pair, no_acks):
    """Prod has no maximum; adding one lowers it from unlimited: requests above it are throttled."""
    pair = make_pair()
    with pair.edit("head", PROD) as template:
        props = _users(template)["Properties"]
        assert "WriteOnDemandThroughputSettings" not in props
        props["WriteOnDemandThroughputSettings"] = {"MaxWriteRequestUnits": 50}
        props["GlobalSecondaryIndexes"][0]["WriteOnDemandThroughputSettings"] = {"MaxWriteRequestUnits": 50}
    report = run(pair, no_acks)
    lowered = [f for f in report.findings if f.change == "on-demand-max-lowered"]
    assert len(lowered) == 2 and all(f.level == "risky" for f in lowered)
    assert any("GSI email-index" in f.reason for f in lowered)


def _stream_consumer(table_logical_id: str) -> dict[str, Any]:
    """A Lambda event source mapping on the table's stream and the grant it needs, as CDK emits them."""
    stream_arn = {"Fn::GetAtt": [table_logical_id, "StreamArn"]}
    return {
        "UsageFeedMapping1A2B3C4D": {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {"EventSourceArn": stream_arn, "FunctionName": "usage-feed", "StartingPosition": "LATEST"},
        },
        "UsageFeedPolicy1A2B3C4D": {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
                            "Resource": stream_arn,
                        }
                    ],
                }
            },
        },
    }


def _with_stream(pair: Pair, *, consumer: bool) -> str:
    for side in ("base", "head"):
        with pair.edit(side, DATA) as template:
            usage = table_id(template, "usage")
            template["Resources"][usage]["Properties"]["StreamSpecification"] = {"StreamViewType": "NEW_AND_OLD_IMAGES"}
            if consumer:
                template["Resources"].update(_stream_consumer(usage))
    return usage


def test_stream_removed_while_consumers_read_it_is_risky(make_pair, no_acks):
    pair = make_pair()
    usage = _with_stream(pair, consumer=True)
    with pair.edit("head", DATA) as template:
        del template["Resources"][usage]["Properties"]["StreamSpecification"]
    report = run(pair, no_acks)
    finding = only(report, "stream-removed-in-use")
    assert finding.level == "risky" and finding.table == "usage"
    assert f"{DATA}/UsageFeedMapping1A2B3C4D (AWS::Lambda::EventSourceMapping)" in finding.detail["consumers"]
    assert "no more item changes" in finding.reason and report.exit_code == 0


def test_stream_read_through_a_wildcard_grant_counts_as_a_consumer(make_pair, no_acks):
    pair = make_pair()
    usage = _with_stream(pair, consumer=False)
    for side in ("base", "head"):
        with pair.edit(side, ACCESS) as template:
            template["Resources"].update(
                reader_role("NoSuchTable", "x", actions=["dynamodb:GetRecords"], extra_resources=["*"])
            )
    with pair.edit("head", DATA) as template:
        del template["Resources"][usage]["Properties"]["StreamSpecification"]
    finding = only(run(pair, no_acks), "stream-removed-in-use")
    assert f"{ACCESS}/review-reader" in finding.detail["consumers"]


def test_stream_removed_without_consumers_is_safe(make_pair, no_acks):
    pair = make_pair()
    usage = _with_stream(pair, consumer=False)
    with pair.edit("head", DATA) as template:
        del template["Resources"][usage]["Properties"]["StreamSpecification"]
    assert changes(run(pair, no_acks)) == [("safe", "stream-removed")]


def test_stream_view_type_change_with_consumers_is_risky(make_pair, no_acks):
    pair = make_pair()
    usage = _with_stream(pair, consumer=True)
    with pair.edit("head", DATA) as template:
        template["Resources"][usage]["Properties"]["StreamSpecification"] = {"StreamViewType": "KEYS_ONLY"}
    finding = only(run(pair, no_acks), "stream-view-type-changed")
    assert finding.level == "risky" and "new stream ARN" in finding.reason


def test_kinesis_stream_destination_removed_is_risky(make_pair, no_acks):
    pair = make_pair()
    kinesis = {"StreamArn": "arn:aws:kinesis:us-east-1:111111111111:stream/usage-changes"}
    with pair.edit("base", DATA) as template:
        template["Resources"][table_id(template, "usage")]["Properties"]["Replicas"][0][
            "KinesisStreamSpecification"
        ] = kinesis
    finding = only(run(pair, no_acks), "kinesis-stream-removed")
    assert finding.level == "risky" and "usage-changes" in finding.reason


def test_kms_key_no_longer_retained_is_risky(make_pair, no_acks):
    """The data stack's customer managed key (the stage config's retained key)."""
    pair = make_pair()
    key = {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True}}
    for side, policy in (("base", "Retain"), ("head", "Delete")):
        with pair.edit(side, PROD) as template:
            template["Resources"]["TableKey1A2B3C4D"] = {**key, "DeletionPolicy": policy, "UpdateReplacePolicy": policy}
    report = run(pair, no_acks)
    assert changes(report) == [("risky", "removal-policy-not-retained")] * 2
    assert all("unreadable" in f.reason for f in report.findings)


def test_pitr_window_from_an_intrinsic_is_not_a_crash(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("head", PROD) as template:
        spec = _users(template)["Properties"]["Replicas"][0]["PointInTimeRecoverySpecification"]
        spec["RecoveryPeriodInDays"] = {"Ref": "RecoveryDays"}
    assert changes(run(pair, no_acks)) == [("risky", "pitr-window-shortened")]


# --- 9. wildcards and open trust block protected stages ---------------------------------------


def _register_role(template: dict[str, Any]) -> str:
    """The logical ID of 004's register consumer role."""
    (logical_id,) = [
        k
        for k, r in template["Resources"].items()
        if r["Type"] == "AWS::IAM::Role"
        and str(r["Properties"].get("RoleName", "")).startswith("transcription-register-")
    ]
    return logical_id


def _grant(pair: Pair, stack: str, statements: list[dict[str, Any]], *, side: str = "head") -> None:
    """The register role's DynamoDB policy gains ``statements``."""
    with pair.edit(side, stack) as template:
        role = {"Ref": _register_role(template)}
        (policy,) = [r for r in template["Resources"].values() if role in r["Properties"].get("Roles", [])]
        policy["Properties"]["PolicyDocument"]["Statement"] += statements


_TABLE = {"Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/transcription-users-prod"}


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param({"Effect": "Allow", "Action": "dynamodb:*", "Resource": _TABLE}, id="action-star"),
        pytest.param({"Effect": "Allow", "Action": "dynamodb:Delete?tem", "Resource": _TABLE}, id="action-question"),
        pytest.param({"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}, id="resource-star"),
        pytest.param(
            {
                "Effect": "Allow",
                "Action": "dynamodb:GetItem",
                "Resource": {"Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"},
            },
            id="every-table",
        ),
        pytest.param({"Effect": "Allow", "NotAction": "dynamodb:DeleteTable", "Resource": _TABLE}, id="not-action"),
    ],
)
def test_wildcard_grant_blocks_a_protected_stage(make_pair, no_acks, statement):
    pair = make_pair()
    _grant(pair, ACCESS, [statement])
    report = run(pair, no_acks)
    (change,) = report.security
    assert change.change == "broadened" and change.wildcards and change.blocking
    assert change.stack_name == "transcription-prod-access"
    assert report.exit_code == 1 and report.blocking == [change]


def test_wildcard_grant_acknowledged_or_in_dev_passes(make_pair, tmp_path, no_acks):
    pair = make_pair()
    wildcard = {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}
    _grant(pair, ACCESS, [wildcard])
    _grant(pair, "Dev/TranscriptionAccess", [wildcard])
    assert run(pair, no_acks).exit_code == 1
    role = _register_role(pair.template("head", ACCESS))
    report = run(pair, ack_file(tmp_path, ("transcription-prod-access", role)))
    prod = next(s for s in report.security if s.stage == "prod")
    dev = next(s for s in report.security if s.stage == "dev")
    assert prod.acknowledged and not prod.blocking and not dev.blocking
    assert report.exit_code == 0


def test_wildcard_grant_exits_1_from_the_command_line(make_pair, no_acks, capsys):
    from review.__main__ import main

    pair = make_pair()
    _grant(pair, ACCESS, [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}])
    args = ["diff", "--base", str(pair.base), "--head", str(pair.head), "--acknowledged", str(no_acks)]
    assert main([*args, "--no-cost", "--format", "json"]) == 1
    out = capsys.readouterr()
    (entry,) = json.loads(out.out)["security"]
    assert entry["blocking"] is True and entry["wildcards"] == ["dynamodb:* on *"]
    assert "1 unacknowledged security change(s) granting wildcards" in out.err


def test_narrowed_wildcard_does_not_block(make_pair, no_acks):
    """A condition added to an existing wildcard grant narrows it: nothing new is allowed."""
    pair = make_pair()
    wildcard = {"Effect": "Allow", "Action": "dynamodb:*", "Resource": _TABLE}
    _grant(pair, ACCESS, [wildcard], side="base")
    _grant(pair, ACCESS, [{**wildcard, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}])
    report = run(pair, no_acks)
    assert [s.change for s in report.security] == ["broadened", "removed"]
    assert not report.security[0].wildcards and report.exit_code == 0


def test_aws_managed_policy_attached_blocks(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("head", ACCESS) as template:
        role = template["Resources"][_register_role(template)]["Properties"]
        role["ManagedPolicyArns"] = [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess"}]
    (change,) = run(pair, no_acks).security
    assert change.wildcards == ["AWS managed policy AdministratorAccess"] and change.blocking


def _trust(pair: Pair, acks: Path, principal: Any, condition: dict[str, Any] | None = None) -> Report:
    with pair.edit("head", ACCESS) as template:
        document = template["Resources"][_register_role(template)]["Properties"]["AssumeRolePolicyDocument"]
        statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
        if condition:
            statement["Condition"] = condition
        document["Statement"].append(statement)
    return run(pair, acks)


@pytest.mark.parametrize(
    "principal",
    [
        pytest.param({"AWS": "arn:aws:iam::999999999999:root"}, id="other-account"),
        pytest.param({"AWS": "999999999999"}, id="other-account-id"),
        pytest.param({"AWS": "*"}, id="aws-star"),
        pytest.param("*", id="star"),
        pytest.param({"Federated": "accounts.google.com"}, id="federated"),
        pytest.param({"AWS": {"Ref": "TrustedAccountArn"}}, id="unresolvable"),
    ],
)
def test_trust_beyond_the_account_blocks_a_protected_stage(make_pair, no_acks, principal):
    report = _trust(make_pair(), no_acks, principal)
    (change,) = report.security
    assert change.open_trust and change.blocking and report.exit_code == 1
    assert "trust beyond the account" in change.reason


@pytest.mark.parametrize(
    ("principal", "condition"),
    [
        pytest.param({"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}, None, id="own-root"),
        pytest.param({"AWS": "arn:aws:iam::111111111111:role/ops"}, None, id="own-literal-account"),
        pytest.param({"Service": "ecs-tasks.amazonaws.com"}, None, id="service"),
        pytest.param("*", {"StringEquals": {"aws:PrincipalAccount": {"Ref": "AWS::AccountId"}}}, id="star-own-account"),
    ],
)
def test_trust_within_the_account_does_not_block(make_pair, no_acks, principal, condition):
    report = _trust(make_pair(), no_acks, principal, condition)
    (change,) = report.security
    assert change.change == "broadened" and not change.open_trust and report.exit_code == 0


# A table's resource-based policy lets principals in without any role: DynamoDB evaluates it
# with the caller's identity policy, and a principal of another account needs only this one.


def _resource_policy(pair: Pair, stack: str, principal: Any, action: Any = "dynamodb:GetItem") -> str:
    """Give the head's users table in ``stack`` a resource policy; return the table's logical ID."""
    with pair.edit("head", stack) as template:
        logical_id = table_id(template, "users")
        replica = template["Resources"][logical_id]["Properties"]["Replicas"][0]
        statement = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*"}
        replica["ResourcePolicy"] = {"PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}}
    return logical_id


def test_a_table_resource_policy_opening_it_to_another_account_blocks_prod(make_pair, no_acks):
    pair = make_pair()
    logical_id = _resource_policy(pair, DATA, {"AWS": "arn:aws:iam::999999999999:root"})
    report = run(pair, no_acks)
    (change,) = report.security
    assert change.change == "added" and change.table == "transcription-users-prod"
    assert change.logical_id.startswith(f"{logical_id}/ResourcePolicy")
    assert change.open_trust and change.blocking and report.exit_code == 1
    assert change.reason.startswith("new resource policy of table transcription-users-prod")
    assert "Access beyond the account" in change.reason and "999999999999" in change.reason


def test_a_table_resource_policy_for_the_own_account_does_not_block(make_pair, no_acks):
    pair = make_pair()
    _resource_policy(pair, DATA, {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}})
    (change,) = run(pair, no_acks).security
    assert not change.open_trust and not change.wildcards and not change.blocking


def test_a_table_resource_policy_with_a_wildcard_action_blocks_prod(make_pair, no_acks):
    pair = make_pair()
    _resource_policy(pair, DATA, {"Service": "lambda.amazonaws.com"}, action="dynamodb:*")
    (change,) = run(pair, no_acks).security
    assert change.wildcards and not change.open_trust and change.blocking


def test_a_table_resource_policy_is_acknowledged_by_the_table_or_allowed_in_dev(make_pair, no_acks, tmp_path):
    pair = make_pair()
    logical_id = _resource_policy(pair, DATA, "*")
    (change,) = run(pair, ack_file(tmp_path, (DATA, logical_id))).security
    assert change.open_trust and change.acknowledged and not change.blocking
    pair = make_pair()
    _resource_policy(pair, "Dev/TranscriptionData", "*")
    (change,) = run(pair, no_acks).security
    assert change.open_trust and change.stage == "dev" and not change.blocking


# --- 10. plumbing ----------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_review_json_prints_only_json_on_stdout(synth: Any):
    """``make review REVIEW_FORMAT=json`` is meant for ``| jq``: stdout must be the JSON report alone.

    The session's assembly stands in for both sides (BASE_OUT/HEAD_OUT), so the test runs the
    Makefile's recipe without two more synths."""
    result = subprocess.run(
        ["make", "review", f"BASE_OUT={synth.outdir}", f"HEAD_OUT={synth.outdir}", "REVIEW_FORMAT=json", "STAGE=dev"],
        # As a user runs it: not as a sub-make of `make test`, where make would print
        # "make[1]: Entering directory" on stdout before reading the Makefile.
        env={k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["schema_version"] == 1 and report["stage"] == "dev"
