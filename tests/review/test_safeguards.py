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

from pathlib import Path

import pytest

from review.diff import review
from review.findings import Finding, Report
from tests.review.pairs import Pair, table_id

PROD = "Prod/AuxeiraData"
DATA = "Prod/TranscriptionData"
ACCESS = "Prod/TranscriptionAccess"


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
