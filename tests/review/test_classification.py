"""One fixture pair per change type: the classification, the reason and the exit code.

Expected reasons come from DynamoDB's and CloudFormation's documented behaviour
(a key or name change replaces the table; billing-mode switches are limited per
24 hours; TTL deletes expired items), not from the implementation.
"""

from __future__ import annotations

from pathlib import Path

from review.diff import review
from review.findings import Finding, Report
from tableforge.assembly import STACK_METADATA_KEY, read_assembly
from tests.review.pairs import Pair, reader_role, rename_logical_id, table_id, to_classic_table

PROD = "Prod/AuxeiraData"
DEV = "Dev/AuxeiraData"


def run(pair: Pair, acks: Path, **kwargs: object) -> Report:
    return review(pair.base, pair.head, acknowledged=acks, with_cost=False, **kwargs)  # type: ignore[arg-type]


def only(report: Report, change: str) -> Finding:
    matches = [f for f in report.findings if f.change == change]
    assert len(matches) == 1, [(f.change, f.logical_id) for f in report.findings]
    return matches[0]


def table_findings(report: Report) -> list[Finding]:
    return [f for f in report.findings if f.resource_type.startswith("AWS::DynamoDB::")]


def test_identical_assemblies_report_nothing(make_pair, no_acks):
    report = run(make_pair(), no_acks)
    assert report.findings == [] and report.security == [] and report.exit_code == 0


def test_table_removed_is_destructive_and_blocks_prod(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("head", PROD) as template:
        projects = table_id(template, "projects")
        del template["Resources"][projects]
    report = run(pair, no_acks)
    finding = only(report, "table-removed")
    assert (finding.level, finding.stack, finding.logical_id, finding.table) == (
        "destructive",
        PROD,
        projects,
        "projects",
    )
    # Prod retains tables: the data survives, orphaned; the reason must say so rather than "deleted".
    assert "auxeira-projects-prod" in finding.reason and "orphans" in finding.reason
    assert finding.blocking and report.exit_code == 1


def test_table_removed_in_dev_is_destructive_but_never_blocks(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("head", DEV) as template:
        del template["Resources"][table_id(template, "projects")]
    report = run(pair, no_acks)
    finding = only(report, "table-removed")
    assert finding.level == "destructive" and finding.stage == "dev"
    assert "deletes the table and every item" in finding.reason  # dev's DeletionPolicy is Delete
    assert not finding.blocking and report.exit_code == 0


def test_key_change_is_destructive(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("head", PROD) as template:
        props = template["Resources"][table_id(template, "users")]["Properties"]
        props["KeySchema"][1]["AttributeName"] = "created_at"
        props["AttributeDefinitions"].append({"AttributeName": "created_at", "AttributeType": "N"})
    report = run(pair, no_acks)
    finding = only(report, "key-schema-changed")
    assert finding.level == "destructive" and finding.table == "users"
    assert "SK (S)" in finding.reason and "created_at (N)" in finding.reason
    assert "cannot change a table's primary key" in finding.reason and "new, empty table" in finding.reason
    assert report.exit_code == 1


def test_key_attribute_type_change_is_destructive(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("head", PROD) as template:
        props = template["Resources"][table_id(template, "users")]["Properties"]
        next(a for a in props["AttributeDefinitions"] if a["AttributeName"] == "PK")["AttributeType"] = "N"
    assert only(run(pair, no_acks), "key-schema-changed").level == "destructive"


def test_logical_id_change_is_one_destructive_finding(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("head", PROD) as template:
        old = table_id(template, "users")
        rename_logical_id(template, old, "UsersTableV2A1B2C3D4")
    report = run(pair, no_acks)
    finding = only(report, "logical-id-changed")
    assert finding.level == "destructive" and finding.logical_id == old
    assert finding.detail["new_logical_id"] == "UsersTableV2A1B2C3D4"
    assert "new, empty table" in finding.reason and "auxeira-users-prod" in finding.reason
    # Paired, not reported twice as a removal plus an addition.
    assert not [f for f in report.findings if f.change in ("table-removed", "table-added")]
    assert report.exit_code == 1


def test_table_to_global_table_is_destructive(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("base", PROD) as template:
        users = table_id(template, "users")
        template["Resources"][users] = to_classic_table(template["Resources"][users])
    report = run(pair, no_acks)
    finding = only(report, "resource-type-changed")
    assert finding.level == "destructive" and finding.logical_id == users
    assert "AWS::DynamoDB::Table -> AWS::DynamoDB::GlobalTable" in finding.reason
    assert "starts empty" in finding.reason
    assert report.exit_code == 1


def test_table_to_global_table_under_a_new_logical_id_is_destructive(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("base", PROD) as template:
        users = table_id(template, "users")
        template["Resources"]["UsersLegacy0011AABB"] = to_classic_table(template["Resources"].pop(users))
    finding = only(run(pair, no_acks), "resource-type-changed")
    assert finding.logical_id == "UsersLegacy0011AABB" and finding.detail["new_logical_id"] == users


def test_pitr_off_is_risky(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("head", PROD) as template:
        replica = template["Resources"][table_id(template, "esg-reports")]["Properties"]["Replicas"][0]
        replica["PointInTimeRecoverySpecification"] = {"PointInTimeRecoveryEnabled": False}
    report = run(pair, no_acks)
    finding = only(report, "pitr-disabled")
    assert finding.level == "risky" and finding.table == "esg-reports"
    assert "35 days" in finding.reason  # prod's recovery window, from the stage config
    assert [f.change for f in table_findings(report)] == ["pitr-disabled"]
    assert report.exit_code == 0


def test_deletion_protection_off_is_risky(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("head", PROD) as template:
        replica = template["Resources"][table_id(template, "users")]["Properties"]["Replicas"][0]
        replica["DeletionProtectionEnabled"] = False
    report = run(pair, no_acks)
    finding = only(report, "deletion-protection-disabled")
    assert finding.level == "risky" and "now succeeds instead of being refused" in finding.reason
    assert report.exit_code == 0


def test_removal_policy_no_longer_retains_is_risky(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("head", PROD) as template:
        template["Resources"][table_id(template, "users")]["DeletionPolicy"] = "Delete"
    finding = only(run(pair, no_acks), "removal-policy-not-retained")
    assert finding.level == "risky" and "Retain -> Delete" in finding.reason


def test_ttl_attribute_change_is_risky(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("head", PROD) as template:
        props = template["Resources"][table_id(template, "startup-profiles")]["Properties"]
        assert props["TimeToLiveSpecification"]["AttributeName"] == "expires_at"
        props["TimeToLiveSpecification"]["AttributeName"] = "purge_at"
    report = run(pair, no_acks)
    finding = only(report, "ttl-changed")
    assert finding.level == "risky" and "'expires_at' -> 'purge_at'" in finding.reason
    assert "never expire" in finding.reason
    assert report.exit_code == 0


def test_ttl_removed_is_risky(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("head", PROD) as template:
        del template["Resources"][table_id(template, "startup-profiles")]["Properties"]["TimeToLiveSpecification"]
    finding = only(run(pair, no_acks), "ttl-removed")
    assert finding.level == "risky" and "no longer deleted" in finding.reason


def _add_gsi(resource: dict, name: str, attribute: str) -> None:
    props = resource["Properties"]
    props.setdefault("AttributeDefinitions", []).append({"AttributeName": attribute, "AttributeType": "S"})
    props.setdefault("GlobalSecondaryIndexes", []).append(
        {
            "IndexName": name,
            "KeySchema": [{"AttributeName": attribute, "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        }
    )
    props["Replicas"][0].setdefault("GlobalSecondaryIndexes", []).append({"IndexName": name})


def test_gsi_added_is_safe_with_a_note(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("head", PROD) as template:
        _add_gsi(template["Resources"][table_id(template, "users")], "created-index", "created_at")
    report = run(pair, no_acks)
    finding = only(report, "gsi-added")
    assert finding.level == "safe" and "created-index" in finding.reason
    assert "backfills online" in finding.reason and "write cost rises" in finding.reason
    assert [f.change for f in table_findings(report)] == ["gsi-added"]  # the attribute definition is explained
    assert report.exit_code == 0


def test_two_gsis_in_one_change_is_risky(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("head", PROD) as template:
        users = template["Resources"][table_id(template, "users")]
        _add_gsi(users, "created-index", "created_at")
        _add_gsi(users, "country-index", "country")
    finding = only(run(pair, no_acks), "gsi-multiple-changes")
    assert finding.level == "risky" and "only one GSI per table per update" in finding.reason


def _remove_gsi(resource: dict, name: str) -> None:
    props = resource["Properties"]
    props["GlobalSecondaryIndexes"] = [g for g in props["GlobalSecondaryIndexes"] if g["IndexName"] != name]
    replica = props["Replicas"][0]
    replica["GlobalSecondaryIndexes"] = [g for g in replica["GlobalSecondaryIndexes"] if g["IndexName"] != name]


def test_gsi_removed_while_a_role_queries_it_is_risky(make_pair, no_acks):
    pair = make_pair()
    for side in ("base", "head"):
        with pair.edit(side, PROD) as template:
            users = table_id(template, "users")
            template["Resources"].update(reader_role(users, "email-index"))
    with pair.edit("head", PROD) as template:
        _remove_gsi(template["Resources"][table_id(template, "users")], "email-index")
    report = run(pair, no_acks)
    finding = only(report, "gsi-removed-in-use")
    # Our injected role, plus any real consumer role the access stack grants on the index.
    assert finding.level == "risky" and f"{PROD}/review-reader" in finding.detail["consumers"]
    assert "auxeira-users-prod/index/email-index" in finding.reason
    assert report.exit_code == 0


def test_gsi_removed_is_risky_for_the_real_consumer_roles(make_pair, no_acks):
    """004: register and login look users up by email; the access stack grants them Query on email-index."""
    pair = make_pair()
    with pair.edit("head", "Prod/TranscriptionData") as template:
        _remove_gsi(template["Resources"][table_id(template, "users")], "email-index")
    finding = only(run(pair, no_acks), "gsi-removed-in-use")
    assert {
        "Prod/TranscriptionAccess/transcription-login-prod",
        "Prod/TranscriptionAccess/transcription-register-prod",
    } <= set(finding.detail["consumers"])
    assert all(consumer.startswith("Prod/") for consumer in finding.detail["consumers"])


def test_gsi_removed_with_its_grant_is_safe(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("base", PROD) as template:
        users = table_id(template, "users")
        _add_gsi(template["Resources"][users], "legacy-index", "legacy")
        template["Resources"].update(reader_role(users, "legacy-index"))
    with pair.edit("head", PROD) as template:
        template["Resources"].update(reader_role(table_id(template, "users"), "email-index"))
    report = run(pair, no_acks)
    finding = only(report, "gsi-removed")
    assert finding.level == "safe" and "legacy-index" in finding.reason
    assert "review-reader" in finding.reason and "removed in this change too" in finding.reason
    assert not report.by_level("risky")


def test_billing_switch_is_risky(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("head", PROD) as template:
        props = template["Resources"][table_id(template, "projects")]["Properties"]
        assert props["BillingMode"] == "PROVISIONED"
        props["BillingMode"] = "PAY_PER_REQUEST"
        props.pop("WriteProvisionedThroughputSettings")
        props["Replicas"][0].pop("ReadProvisionedThroughputSettings")
    report = run(pair, no_acks)
    finding = only(report, "billing-mode-changed")
    assert finding.level == "risky" and "PROVISIONED -> PAY_PER_REQUEST" in finding.reason
    assert "four switches" in finding.reason and "24 hours" in finding.reason  # AWS's documented limit
    assert [f.change for f in table_findings(report)] == ["billing-mode-changed"]  # capacity changes explained
    assert report.exit_code == 0


def test_tags_only_change_is_safe(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("head", PROD) as template:
        replica = template["Resources"][table_id(template, "users")]["Properties"]["Replicas"][0]
        replica["Tags"].append({"Key": "owner", "Value": "growth-team"})
    report = run(pair, no_acks)
    finding = only(report, "tags-changed")
    assert finding.level == "safe" and finding.table == "users"
    assert report.findings == [finding] and report.exit_code == 0


def test_iam_broadened_is_reported_per_role(make_pair, no_acks, tmp_path):
    pair = make_pair()
    with pair.edit("base", PROD) as template:
        template["Resources"].update(reader_role(table_id(template, "users"), "email-index"))
    with pair.edit("head", PROD) as template:
        template["Resources"].update(
            reader_role(
                table_id(template, "users"),
                "email-index",
                actions=["dynamodb:GetItem", "dynamodb:Query", "dynamodb:DeleteItem"],
                extra_resources=["*"],
            )
        )
    # Unacknowledged, the wildcard resource blocks prod (issue 13; see test_safeguards.py).
    assert run(pair, no_acks).exit_code == 1
    acks = tmp_path / "ack.yaml"
    acks.write_text(f"acknowledged:\n  - {{stack: {PROD}, logical_id: ReviewReaderRole1A2B3C4D, reason: r}}\n")
    report = run(pair, acks)
    assert [s.change for s in report.security] == ["broadened"]
    change = report.security[0]
    assert change.stack == PROD and change.logical_id == "ReviewReaderRole1A2B3C4D" and change.role == "review-reader"
    assert change.wildcard
    assert "dynamodb:deleteitem" in change.actions and "*" in change.resources
    assert "new actions dynamodb:deleteitem" in change.reason and "new resources *" in change.reason
    assert change.policies == ["ReviewReaderRoleDefaultPolicy5E6F7A8B"]
    # The policy resource itself is listed too, and nothing about it is destructive.
    assert only(report, "resource-changed").logical_id == "ReviewReaderRoleDefaultPolicy5E6F7A8B"
    assert report.exit_code == 0


def test_iam_role_added_and_narrowed(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("base", PROD) as template:
        template["Resources"].update(
            reader_role(
                table_id(template, "users"),
                "email-index",
                actions=["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"],
            )
        )
    with pair.edit("head", PROD) as template:
        template["Resources"].update(reader_role(table_id(template, "users"), "email-index"))
    report = run(pair, no_acks)
    assert [s.change for s in report.security] == ["removed"]
    assert report.security[0].actions == ["dynamodb:scan"]


def test_stage_filter_limits_the_report(make_pair, no_acks):
    pair = make_pair()
    with pair.edit("head", DEV) as template:
        del template["Resources"][table_id(template, "projects")]
    with pair.edit("head", PROD) as template:
        replica = template["Resources"][table_id(template, "users")]["Properties"]["Replicas"][0]
        replica["DeletionProtectionEnabled"] = False
    prod = run(pair, no_acks, stage="prod")
    assert [f.change for f in prod.findings] == ["deletion-protection-disabled"]
    dev = run(pair, no_acks, stage="Dev")
    assert [f.change for f in dev.findings] == ["table-removed"]


def test_changes_in_every_stage_at_once(make_pair, no_acks):
    """Nested stage assemblies are all read: the same edit in each stage gives one finding per stage."""
    pair = make_pair()
    for stage in ("Dev", "Staging", "Prod"):
        with pair.edit("head", f"{stage}/TranscriptionData") as template:
            props = template["Resources"][table_id(template, "users")]["Properties"]
            props["TableName"] = props["TableName"] + "-v2"
    report = run(pair, no_acks)
    findings = [f for f in report.findings if f.change == "physical-name-changed"]
    assert sorted((f.stage, f.blocking) for f in findings) == [("dev", False), ("prod", True), ("staging", True)]
    assert all("cannot rename" in f.reason for f in findings)
    assert report.exit_code == 1


def _drop_stack_metadata(pair: Pair, side: str) -> None:
    """Make ``side`` look synthesized before stacks wrote their ``tableforge:stack`` metadata."""
    for stack in read_assembly(getattr(pair, side)):
        with pair.edit(side, stack.display_name) as template:
            template.get("Metadata", {}).pop(STACK_METADATA_KEY, None)


def test_base_assembly_from_before_the_stack_metadata(make_pair, no_acks):
    """A base commit may predate the metadata: its stacks' stage then comes from the stage construct ID."""
    pair = make_pair()
    _drop_stack_metadata(pair, "base")
    assert [s.stage_name for s in read_assembly(pair.base) if s.stage_name is not None] == []
    with pair.edit("head", PROD) as template:
        del template["Resources"][table_id(template, "projects")]
    with pair.edit("head", DEV) as template:
        replica = template["Resources"][table_id(template, "users")]["Properties"]["Replicas"][0]
        replica["DeletionProtectionEnabled"] = True
    # The removal is reported on the base's stack, whose stage only its construct ID (Prod) tells.
    prod = run(pair, no_acks, stage="prod")
    finding = only(prod, "table-removed")
    assert (finding.stack, finding.stage, finding.blocking) == (PROD, "prod", True)
    assert [f.change for f in prod.findings] == ["table-removed"]
    everything = run(pair, no_acks)
    assert sorted((f.stage, f.change) for f in table_findings(everything)) == [
        ("dev", "deletion-protection-enabled"),
        ("prod", "table-removed"),
    ]


def test_stage_comes_from_the_stack_metadata(make_pair, no_acks):
    """The stage the app wrote at synth wins over the construct ID the stack sits under."""
    pair = make_pair()
    for side in ("base", "head"):
        with pair.edit(side, DEV) as template:
            template["Metadata"][STACK_METADATA_KEY]["stage"] = "prod"
    with pair.edit("head", DEV) as template:
        del template["Resources"][table_id(template, "projects")]
    report = run(pair, no_acks, stage="prod")
    finding = only(report, "table-removed")
    # Under the Dev construct, but a prod stack by its metadata: protected, so it blocks.
    assert (finding.stack, finding.stage, finding.blocking) == (DEV, "prod", True)
