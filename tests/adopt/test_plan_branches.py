"""The plan's branches that the as-found world does not reach, one at a time.

DynamoDB Local cannot tag a table (TagResource and ListTagsOfResource answer
UnknownOperationException), so ownership by another stack is tested with a botocore
Stubber that answers as AWS does. The rest runs against DynamoDB Local.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from adopt import large
from adopt.decide import Candidate, decide
from adopt.plan import build_plan
from tableforge.assembly import read_assembly
from tableforge.catalog import LiveTable, Source, load_catalog
from tests.adopt import world
from tests.adopt.conftest import ROOT, Space

ARN = "arn:aws:dynamodb:us-east-1:111111111111:table/"
SRC = [Source(doc="test", section="test")]


@pytest.fixture(scope="module")
def users(synth: Any) -> Candidate:
    """The prod users table as synthesized: keys PK/SK (S), two GSIs."""
    catalog = load_catalog(ROOT / "catalog")
    (stack,) = [s for s in read_assembly(synth.outdir) if s.construct_path == "Prod/AuxeiraData"]
    model = next(m for m in stack.table_models() if m.catalog_table == "users")
    return Candidate(
        stage="prod",
        system="auxeira",
        table="users",
        spec=catalog.systems["auxeira"].tables["users"],
        model=model,
        physical_name="auxeira-users-prod",
        stack="Prod/AuxeiraData",
        stack_name="auxeira-prod-data",
        large_bytes=10 * 10**9,
    )


def stubbed(
    name: str,
    *,
    tags: list[dict[str, str]] | None,
    keys: tuple[tuple[str, str], ...] = (("PK", "S"), ("SK", "S")),
    gsis: list[str] = (),
    size: int = 1000,
    pitr: bool | None = True,
) -> tuple[Any, Stubber]:
    client = boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="stub", aws_secret_access_key="stub")
    stub = Stubber(client)
    kinds = ("HASH", "RANGE")
    table: dict[str, Any] = {
        "TableName": name,
        "TableArn": ARN + name,
        "TableStatus": "ACTIVE",
        "CreationDateTime": datetime.datetime(2025, 11, 6),
        "KeySchema": [{"AttributeName": k, "KeyType": kinds[i]} for i, (k, _) in enumerate(keys)],
        "AttributeDefinitions": [{"AttributeName": k, "AttributeType": t} for k, t in keys],
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
        "ItemCount": 11,
        "TableSizeBytes": size,
    }
    if gsis:
        table["GlobalSecondaryIndexes"] = [
            {
                "IndexName": g,
                "KeySchema": [{"AttributeName": keys[0][0], "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
            for g in gsis
        ]
    stub.add_response("describe_table", {"Table": table}, {"TableName": name})
    if pitr is None:
        stub.add_client_error("describe_continuous_backups", "AccessDeniedException", "not allowed")
    else:
        status = "ENABLED" if pitr else "DISABLED"
        stub.add_response(
            "describe_continuous_backups",
            {
                "ContinuousBackupsDescription": {
                    "ContinuousBackupsStatus": status,
                    "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": status},
                }
            },
            {"TableName": name},
        )
    stub.add_response(
        "describe_time_to_live", {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}, {"TableName": name}
    )
    if tags is None:
        stub.add_client_error("list_tags_of_resource", "AccessDeniedException", "not allowed")
    else:
        stub.add_response("list_tags_of_resource", {"Tags": tags}, {"ResourceArn": ARN + name})
    stub.activate()
    return client, stub


def owned(stack: str) -> list[dict[str, str]]:
    return [{"Key": "aws:cloudformation:stack-name", "Value": stack}, {"Key": "app", "Value": "auxeira"}]


def test_owned_by_another_stack_under_our_name_is_external_until_released(users: Candidate) -> None:
    client, stub = stubbed("auxeira-users-prod", tags=owned("legacy-auxeira"))
    row = decide(client, users, LiveTable(name="auxeira-users-prod", source=SRC), 0)
    stub.assert_no_pending_responses()
    assert row is not None and (row.action, row.owner, row.then) == ("external", "legacy-auxeira", "import")
    assert "DeletionPolicy: Retain" in row.reason and "aws:cloudformation:stack-name" in row.reason


def test_owned_by_another_stack_under_another_name_migrates_without_release(users: Candidate) -> None:
    client, _ = stubbed("auxeira-users", tags=owned("auxeira-esg"), keys=(("user_id", "S"),))
    entry = LiveTable(name="auxeira-users", key_map={"PK": "USER#{user_id}", "SK": "PROFILE"}, source=SRC)
    row = decide(client, users, entry, 1)
    assert row is not None and (row.action, row.then) == ("external", "migrate")
    assert "no release is needed" in row.reason


def test_in_our_own_stack_is_managed(users: Candidate) -> None:
    client, _ = stubbed("auxeira-users-prod", tags=owned("auxeira-prod-data"))
    row = decide(client, users, LiveTable(name="auxeira-users-prod", source=SRC), 0)
    assert row is not None and row.action == "managed"


def test_unreadable_tags_fall_back_to_the_catalogs_owner(users: Candidate) -> None:
    client, _ = stubbed("auxeira-users-prod", tags=None)
    entry = LiveTable(name="auxeira-users-prod", owner="amplify", source=SRC)
    row = decide(client, users, entry, 0)
    assert row is not None and (row.action, row.owner) == ("external", "amplify")


def test_unreadable_pitr_is_unknown_not_guessed(users: Candidate) -> None:
    client, _ = stubbed("auxeira-users-prod", tags=[], pitr=None)
    row = decide(client, users, LiveTable(name="auxeira-users-prod", source=SRC), 0)
    assert row is not None and row.action == "import"
    (pitr,) = [c for c in row.changes if c.change.startswith("pitr")]
    assert (pitr.change, pitr.risk) == ("pitr-unknown", "risky") and "AccessDeniedException" in pitr.detail


def test_known_pitr_off_is_enabled_by_the_first_deploy(users: Candidate) -> None:
    client, _ = stubbed("auxeira-users-prod", tags=[], pitr=False)
    row = decide(client, users, LiveTable(name="auxeira-users-prod", source=SRC), 0)
    assert row is not None
    assert [(c.change, c.risk, c.deploy) for c in row.changes if c.change.startswith("pitr")] == [
        ("pitr-enabled", "safe", 1)
    ]


def test_our_name_with_other_key_types_is_blocked(users: Candidate) -> None:
    client, _ = stubbed("auxeira-users-prod", tags=[], keys=(("PK", "N"), ("SK", "S")))
    row = decide(client, users, LiveTable(name="auxeira-users-prod", source=SRC), 0)
    assert row is not None and row.action == "blocked"
    assert "PK (N)" in row.reason and "PK (S)" in row.reason


def test_a_live_gsi_the_catalog_lacks_blocks_the_import(users: Candidate) -> None:
    client, _ = stubbed("auxeira-users-prod", tags=[], gsis=["legacy-index"])
    row = decide(client, users, LiveTable(name="auxeira-users-prod", source=SRC), 0)
    assert row is not None and row.action == "blocked" and "legacy-index" in row.reason


def test_a_mapping_that_ignores_a_live_key_is_blocked(users: Candidate) -> None:
    client, _ = stubbed("auxeira-users", tags=[], keys=(("user_id", "S"), ("email", "S")))
    entry = LiveTable(name="auxeira-users", key_map={"PK": "USER#{user_id}", "SK": "PROFILE"}, source=SRC)
    row = decide(client, users, entry, 1)
    assert row is not None and row.action == "blocked" and "['email']" in row.reason


def test_large_tables_get_export_and_import_table(users: Candidate) -> None:
    client, _ = stubbed("auxeira-users", tags=[], keys=(("user_id", "S"),), size=25 * 10**9, pitr=False)
    entry = LiveTable(name="auxeira-users", key_map={"PK": "USER#{user_id}", "SK": "PROFILE"}, source=SRC)
    row = decide(client, users, entry, 1)
    assert row is not None and (row.action, row.large) == ("migrate", True)
    commands = "\n".join(large.commands(row, merge=False))
    assert "update-continuous-backups" in commands  # the export needs PITR, which is off
    assert "export-table-to-point-in-time" in commands and "import-table" in commands
    assert '"TableName": "auxeira-users-prod"' in commands
    assert "apply the key mapping" in commands  # ImportTable copies items unchanged


# --- against DynamoDB Local --------------------------------------------------------


def test_key_type_differs_from_the_catalog(space: Space) -> None:
    """000 gives no keys: a live auxeira-projects keyed by a number cannot be copied into
    the catalog's string-keyed table without a declared mapping."""
    world.create(space.client, "auxeira-projects", ("project_id",), key_type="N", capacity=(5, 2))
    world.create(space.client, "auxeira-events-prod", ("PK", "SK"))  # undeclared, under our name
    plan = space.plan(expect=1)
    (projects,) = [r for r in plan["tables"] if r["table"] == "projects"]
    assert projects["action"] == "blocked"
    assert "project_id (N)" in projects["reason"] and "project_id (S)" in projects["reason"]
    assert "key_map" in projects["reason"]
    (events,) = [r for r in plan["tables"] if r["table"] == "events" and r["system"] == "auxeira"]
    assert events["action"] == "import" and "not in the catalog" in events["reason"]
    # nothing of 001 or 000 is live here, so their tables are created
    assert [r["action"] for r in plan["tables"] if r["table"] == "startup-profiles"] == ["create"]


def test_plan_without_an_assembly_says_run_make_synth(space: Space, tmp_path: Path) -> None:
    code, _out, err = space.run("plan", "--stage", "prod", "--cdk-out", str(tmp_path / "none"))
    assert code == 2 and err.startswith("error: ") and "make synth" in err


def test_bad_stage_is_exit_2(space: Space) -> None:
    _code, out, err = space.run("plan", "--stage", "qa", expect=2)
    assert err.count("\n") == 1 and err.startswith("error: ") and "qa" in err, err


def test_plan_is_built_without_the_cli(space: Space, synth: Any) -> None:
    plan = build_plan(space.client, load_catalog(ROOT / "catalog"), read_assembly(synth.outdir), stage="dev")
    assert {r.action for r in plan.rows} == {"create"}  # nothing is live in this database
    assert plan.exit_code == 0 and plan.resource_mapping == {}


def test_text_format_lists_rows_changes_mapping_and_steps() -> None:
    from adopt.compare import Change
    from adopt.render import plan_text
    from adopt.rows import Plan, Row

    row = Row(
        system="auxeira",
        table="users",
        physical_name="auxeira-users-prod",
        live_name="auxeira-users-prod",
        action="import",
        reason="same name and keys",
        stack="Prod/AuxeiraData",
        stack_name="auxeira-prod-data",
        logical_id="UsersTable6D91A5EE",
        changes=[Change("gsi-created", "GSI email-index", "safe", 2)],
    )
    blocked = Row(
        system="stackpro",
        table="conversations",
        physical_name="stackpro-conversations-prod",
        live_name=None,
        action="blocked",
        reason="no name",
        stack="Prod/StackproData",
        stack_name="stackpro-prod-data",
        logical_id="X",
    )
    mapping = {"Prod/AuxeiraData": {"UsersTable6D91A5EE": {"TableName": "auxeira-users-prod"}}}
    text = plan_text(Plan(stage="prod", rows=[row, blocked], resource_mapping=mapping, steps=["npx cdk import ..."]))
    assert "  users                        import    auxeira-users-prod" in text
    assert "      deploy 2  safe   gsi-created" in text
    assert '{"UsersTable6D91A5EE": {"TableName": "auxeira-users-prod"}}' in text
    assert "   1. npx cdk import ..." in text
    assert "summary: 1 import, 1 blocked" in text and "1 row(s) blocked" in text
