"""`adopt plan --stage prod` against the world the seeds describe (tests/adopt/world.py).

Expected actions and figures come from the seeds: 001's four tables import under their
own names (1,018 records), 000's six migrate, 002's messages (3) migrate, the tables the
seeds say are live but do not name are not created blind, everything else is create.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.adopt import world
from tests.adopt.conftest import ROOT, Space

#: 001's tables -> their catalog tables (001 "Current Database Architecture").
IMPORTS = {
    "users": "auxeira-users-prod",
    "user-startup-mapping": "auxeira-user-startup-mapping-prod",
    "startup-profiles": "auxeira-startup-profiles-prod",
    "startup-activities": "auxeira-startup-activities-prod",
}
#: 000's tables -> the catalog tables whose sources trace to them.
MIGRATES_000 = {
    "auxeira-users": "users",
    "auxeira-user-profiles": "esg-profiles",
    "auxeira-esg-reports": "esg-reports",
    "auxeira-projects": "projects",
    "auxeira-leaderboard": "leaderboard",
    "auxeira-user-activity": "user-activity",
}


def snapshot(space: Space) -> str:
    """Every table's description and items, hashed: the plan must change none of it."""
    digest = hashlib.sha256()
    for name in sorted(space.client.list_tables()["TableNames"]):
        table = space.client.describe_table(TableName=name)["Table"]
        table.pop("ItemCount", None), table.pop("TableSizeBytes", None)
        digest.update(json.dumps(table, default=str, sort_keys=True).encode())
        items = sorted(json.dumps(i, sort_keys=True) for i in space.client.scan(TableName=name)["Items"])
        digest.update(json.dumps(items).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def planned(as_found: Space, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    before = snapshot(as_found)
    out = tmp_path_factory.mktemp("adopt-out")
    plan = as_found.plan("--mapping-out", str(out), expect=1)
    assert snapshot(as_found) == before, "adopt plan changed a table"
    plan["_out"] = out
    return plan


def rows(plan: dict[str, Any], system: str, table: str) -> list[dict[str, Any]]:
    return [r for r in plan["tables"] if r["system"] == system and r["table"] == table]


def test_001_tables_import(planned: dict[str, Any]) -> None:
    for table, name in IMPORTS.items():
        first = rows(planned, "auxeira", table)[0]
        assert (first["action"], first["live_name"], first["physical_name"]) == ("import", name, name)
        assert first["live_items"] == world.SEED_001[name]
    assert sum(rows(planned, "auxeira", t)[0]["live_items"] for t in IMPORTS) == 1018


def test_000_tables_migrate(planned: dict[str, Any]) -> None:
    for live, table in MIGRATES_000.items():
        (row,) = [r for r in rows(planned, "auxeira", table) if r["live_name"] == live]
        assert row["action"] == "migrate", row
        assert row["physical_name"] == f"auxeira-{table}-prod"


def test_users_shows_both_live_tables_import_first(planned: dict[str, Any]) -> None:
    users = rows(planned, "auxeira", "users")
    assert [(r["action"], r["live_name"]) for r in users] == [
        ("import", "auxeira-users-prod"),
        ("migrate", "auxeira-users"),
    ]
    assert users[1]["key_mapping"] == "PK = USER#{user_id}, SK = PROFILE"


def test_002_messages_migrate_and_unnamed_tables_are_not_created(planned: dict[str, Any]) -> None:
    (messages,) = rows(planned, "stackpro", "messages")
    assert (messages["action"], messages["live_name"], messages["live_items"]) == (
        "migrate",
        "stackpro-sandbox-messages",
        world.SEED_002_MESSAGES,
    )
    assert rows(planned, "stackpro", "user-profiles")[0]["action"] == "external"  # Amplify's
    for table in ("conversations", "notifications"):  # live per 002, names not given
        assert rows(planned, "stackpro", table)[0]["action"] == "blocked"
    for table in ("users", "usage", "transactions"):  # 004: the Serverless stack's
        row = rows(planned, "transcription", table)[0]
        assert row["action"] == "external" and "serverless" in row["reason"]


def test_everything_else_is_create(planned: dict[str, Any]) -> None:
    named = set(IMPORTS) | set(MIGRATES_000.values())
    for row in planned["tables"]:
        if row["system"] == "auxeira" and row["table"] not in named:
            assert row["action"] == "create", row
    assert sum(r["action"] == "create" for r in planned["tables"]) == 29 - len(named)


def test_resource_mapping_names_exactly_the_imported_tables(planned: dict[str, Any]) -> None:
    mapping = planned["resource_mapping"]
    assert list(mapping) == ["Prod/AuxeiraData"]
    assert sorted(v["TableName"] for v in mapping["Prod/AuxeiraData"].values()) == sorted(IMPORTS.values())
    assert json.loads((planned["_out"] / "Prod-AuxeiraData.json").read_text()) == mapping["Prod/AuxeiraData"]


def test_import_changes_order_one_gsi_per_deploy(planned: dict[str, Any]) -> None:
    users = rows(planned, "auxeira", "users")[0]
    gsis = sorted((c["deploy"], c["detail"].split(":")[0]) for c in users["changes"] if c["change"] == "gsi-created")
    # the catalog declares two GSIs on users: one per deploy, after the non-GSI changes
    assert gsis == [(2, "GSI email-index"), (3, "GSI user-type-status-index")]
    codes = {c["change"]: c["risk"] for c in users["changes"]}
    assert codes["pitr-unknown"] == "risky"  # DynamoDB Local has no DescribeContinuousBackups
    assert codes["deletion-protection-enabled"] == "safe"
    profiles = rows(planned, "auxeira", "startup-profiles")[0]
    assert {c["change"]: c["risk"] for c in profiles["changes"]}["ttl-enabled"] == "risky"


def test_steps_import_then_deploy_per_gsi_then_migrate(planned: dict[str, Any]) -> None:
    steps = [s for s in planned["steps"] if not s.startswith("#")]
    commands = [s.split("   #")[0] for s in steps]
    imp = next(i for i, c in enumerate(commands) if c.startswith("npx cdk import"))
    assert "--resource-mapping" in commands[imp] and "Prod/AuxeiraData" in commands[imp]
    deploys = [c for c in commands[imp + 1 :] if "Prod/AuxeiraData" in c and c.startswith("npx cdk deploy")]
    # two new GSIs on users and startup-profiles: non-GSI changes, GSI 1, then the app (GSI 2)
    assert len(deploys) == 3 and deploys[-1] == "npx cdk deploy Prod/AuxeiraData"
    migrate = next(i for i, c in enumerate(commands) if "migrate" in c and "--from auxeira-users " in c + " ")
    assert migrate > imp + 3


def test_import_templates_describe_the_live_tables(planned: dict[str, Any], as_found: Space) -> None:
    out: Path = planned["_out"]
    template = json.loads(next((out / "Prod-AuxeiraData.import").glob("*.template.json")).read_text())
    users = template["Resources"][_logical(planned, "users")]["Properties"]
    assert "GlobalSecondaryIndexes" not in users  # the live table has none
    assert [a["AttributeName"] for a in users["AttributeDefinitions"]] == ["PK", "SK"]
    assert users["Replicas"][0]["DeletionProtectionEnabled"] is False
    step2 = json.loads(next((out / "Prod-AuxeiraData.deploy-2").glob("*.template.json")).read_text())
    gsis = step2["Resources"][_logical(planned, "users")]["Properties"]["GlobalSecondaryIndexes"]
    assert [g["IndexName"] for g in gsis] == ["email-index"]


def test_pinned_cdk_cli_reads_the_mapping(planned: dict[str, Any]) -> None:
    """The CLI's own ResourceImporter, offline: our file imports exactly the four tables
    with the import template's resources and nothing else; a mapping keyed by construct
    path (not what the CLI reads) imports nothing."""
    if shutil.which("node") is None:
        pytest.skip("node not installed")
    out: Path = planned["_out"]
    by_path = out / "by-construct-path.json"
    by_path.write_text(json.dumps({"Prod/AuxeiraData/Users/Table/Resource": {"TableName": "auxeira-users-prod"}}))
    template = next((out / "Prod-AuxeiraData.import").glob("*.template.json"))
    script = ROOT / "tests" / "adopt" / "cdk_import_check.js"
    result = subprocess.run(
        ["node", str(script), str(ROOT), str(template), str(out / "Prod-AuxeiraData.json"), str(by_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    good, bad = (json.loads(line) for line in result.stdout.splitlines())
    assert sorted(r["ResourceIdentifier"]["TableName"] for r in good["resourcesToImport"]) == sorted(IMPORTS.values())
    assert sorted(good["template"]["Resources"]) == sorted(good["importResources"])
    assert "Outputs" not in good["template"]
    assert bad["importResources"] == [] and "Unrecognized resource identifiers" in " ".join(bad["warnings"])


def _logical(plan: dict[str, Any], table: str) -> str:
    return str(rows(plan, "auxeira", table)[0]["logical_id"])
