"""Inventory per system: the tables and key schemas the seed documents describe.

The expectations below are written out by hand from the seed documents, with the
quoted line each comes from; they are checked against the synthesized templates,
never against the catalog file. A quote that no longer appears in its seed
fails too, so the expectations cannot drift from the documents.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEEDS, Synthesized

SEED_001 = "001_415fcc882c20c171.txt"
SEED_000 = "000_98209684dd8b119b.txt"
SEED_002 = "002_170725f0598c1ccf.txt"
SEED_003 = "003_fc345c33bedfe913.txt"
SEED_004 = "004_af9b6d988aa117e7.txt"

# table -> ((partition key, type), (sort key, type) or None), quoted source
AUXEIRA: dict[str, tuple[tuple[str, str], tuple[str, str] | None, str, str]] = {
    # 001 keeps single-table keys PK/SK.
    "users": (("PK", "S"), ("SK", "S"), SEED_001, "PK: USER#{user_id}\nSK: PROFILE | SETTINGS | SUBSCRIPTION"),
    "user-startup-mapping": (("PK", "S"), ("SK", "S"), SEED_001, "PK: USER#{user_id}\nSK: STARTUP#{startup_id}"),
    "startup-profiles": (
        ("PK", "S"),
        ("SK", "S"),
        SEED_001,
        "PK: STARTUP#{startup_id}\nSK: PROFILE | METRICS | ACTIVITIES",
    ),
    "startup-activities": (("PK", "S"), ("SK", "S"), SEED_001, "PK: STARTUP#{startup_id}\nSK: ACTIVITY#{timestamp}"),
    "activities-catalog": (("PK", "S"), ("SK", "S"), SEED_001, "PK: ACTIVITY#{activity_id}\nSK: VERSION#{version}"),
    "activity-submissions": (
        ("PK", "S"),
        ("SK", "S"),
        SEED_001,
        "PK: SUBMISSION#{submission_id}\nSK: STARTUP#{startup_id}",
    ),
    "peer-assessments": (
        ("PK", "S"),
        ("SK", "S"),
        SEED_001,
        "PK: ASSESSMENT#{assessment_id}\nSK: SUBMISSION#{submission_id}",
    ),
    "events": (("PK", "S"), ("SK", "S"), SEED_001, "PK: EVENT#{event_id}\nSK: DATE#{event_date}"),
    "event-registrations": (
        ("PK", "S"),
        ("SK", "S"),
        SEED_001,
        "PK: REGISTRATION#{registration_id}\nSK: EVENT#{event_id}",
    ),
    "partners": (("PK", "S"), ("SK", "S"), SEED_001, "PK: PARTNER#{partner_id}\nSK: OFFERING#{offering_id}"),
    "partner-activations": (
        ("PK", "S"),
        ("SK", "S"),
        SEED_001,
        "PK: ACTIVATION#{activation_id}\nSK: STARTUP#{startup_id}",
    ),
    "investor-matches": (("PK", "S"), ("SK", "S"), SEED_001, "PK: MATCH#{match_id}\nSK: STARTUP#{startup_id}"),
    "funding-readiness-checklist": (
        ("PK", "S"),
        ("SK", "S"),
        SEED_001,
        "PK: STARTUP#{startup_id}\nSK: MILESTONE#{milestone_id}",
    ),
    "chatbot-conversations": (
        ("PK", "S"),
        ("SK", "S"),
        SEED_001,
        "PK: CONVERSATION#{conversation_id}\nSK: MESSAGE#{timestamp}",
    ),
    "documents": (("PK", "S"), ("SK", "S"), SEED_001, "PK: DOCUMENT#{document_id}\nSK: STARTUP#{startup_id}"),
    "notifications": (("PK", "S"), ("SK", "S"), SEED_001, "PK: USER#{user_id}\nSK: NOTIFICATION#{timestamp}"),
    "user-sessions": (("PK", "S"), ("SK", "S"), SEED_001, "PK: SESSION#{session_id}\nSK: USER#{user_id}"),
    # 000 gives no keys; each gets a natural key.
    "esg-profiles": (("user_id", "S"), None, SEED_000, "`auxeira-user-profiles` | ESG organization profiles"),
    "esg-reports": (("user_id", "S"), ("report_id", "S"), SEED_000, "`auxeira-esg-reports` | AI-generated reports"),
    "projects": (("project_id", "S"), None, SEED_000, "`auxeira-projects` | Crowdfunding projects"),
    "leaderboard": (
        ("leaderboard_id", "S"),
        ("entity_id", "S"),
        SEED_000,
        "`auxeira-leaderboard` | Competitive intelligence",
    ),
    "user-activity": (("user_id", "S"), ("event_id", "S"), SEED_000, "`auxeira-user-activity` | Analytics tracking"),
    # 003's UUID primary key `id` stays `id`.
    "investments": (("id", "S"), None, SEED_003, "CREATE TABLE investments ("),
    "portfolio-metrics": (("id", "S"), None, SEED_003, "CREATE TABLE portfolio_metrics ("),
    "esg-metrics": (("id", "S"), None, SEED_003, "CREATE TABLE esg_metrics ("),
    "economic-impact": (("id", "S"), None, SEED_003, "CREATE TABLE economic_impact ("),
    "corporate-partnerships": (("id", "S"), None, SEED_003, "CREATE TABLE corporate_partnerships ("),
    "token-transactions": (("id", "S"), None, SEED_003, "CREATE TABLE token_transactions ("),
    "subscription-events": (("id", "S"), None, SEED_003, "CREATE TABLE subscription_events ("),
}

STACKPRO = {
    "user-profiles": (("PK", "S"), None, SEED_002, "UserProfile (Amplify managed)\n├── PK: USER#{userId}"),
    "messages": (
        ("PK", "S"),
        ("SK", "S"),
        SEED_002,
        "├── PK: CONVERSATION#{conversationId}\n├── SK: MESSAGE#{timestamp}",
    ),
    "conversations": (("PK", "S"), None, SEED_002, "Conversations (Chat rooms)\n├── PK: CONVERSATION#{conversationId}"),
    "notifications": (("PK", "S"), ("SK", "S"), SEED_002, "├── PK: USER#{userId}\n├── SK: NOTIFICATION#{timestamp}"),
}
STACKPRO_MARKETPLACE = {
    "consent-settings": "DynamoDB: ConsentSettings (PAY_PER_REQUEST)",
    "datasets": "DynamoDB: Datasets (TTL enabled)",
    "data-contracts": "DynamoDB: DataContracts",
    "usage-events": "DynamoDB: UsageEvents",
    "revenue-share": "DynamoDB: RevenueShare",
    "access-grants": "DynamoDB: AccessGrants",
}

TRANSCRIPTION = {
    "users": (("user_id", "S"), None, SEED_004, "Primary Key: user_id (String)\nGlobal Secondary Index: email"),
    "usage": (("user_id", "S"), ("timestamp", "S"), SEED_004, "Primary Key: user_id (String), timestamp (String)"),
    "transactions": (
        ("transaction_id", "S"),
        None,
        SEED_004,
        "Primary Key: transaction_id (String)\nGlobal Secondary Index: user_id",
    ),
}

INVENTORIES = {"auxeira": AUXEIRA, "stackpro": STACKPRO, "transcription": TRANSCRIPTION}


def seed_text(doc: str) -> str:
    return (SEEDS / doc).read_text(encoding="utf-8")


def key_schema(resource: dict[str, Any]) -> tuple[tuple[str, str], tuple[str, str] | None]:
    props = resource["Properties"]
    types = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
    keys = {k["KeyType"]: k["AttributeName"] for k in props["KeySchema"]}
    pk = (keys["HASH"], types[keys["HASH"]])
    sk = (keys["RANGE"], types[keys["RANGE"]]) if "RANGE" in keys else None
    return pk, sk


def synthesized_tables(synth: Synthesized, stage: str, system: str) -> dict[str, dict[str, Any]]:
    out = {}
    for _, _, resource in synth.tables(stage):
        name = resource["Properties"]["TableName"]
        if name.startswith(f"{system}-") and name.endswith(f"-{stage.lower()}"):
            out[name[len(system) + 1 : -len(stage) - 1]] = resource
    return out


@pytest.mark.parametrize("system", sorted(INVENTORIES))
def test_quotes_appear_in_their_seed(system: str) -> None:
    for table, (_, _, doc, quote) in INVENTORIES[system].items():
        assert quote in seed_text(doc), f"{system}/{table}: quote not found in {doc}"


@pytest.mark.parametrize("stage", ["Dev", "Staging", "Prod"])
@pytest.mark.parametrize("system", sorted(INVENTORIES))
def test_tables_and_key_schemas_match_the_seeds(synth: Synthesized, system: str, stage: str) -> None:
    tables = synthesized_tables(synth, stage, system)
    expected = INVENTORIES[system]
    assert sorted(tables) == sorted(expected)
    for name, (pk, sk, _, _) in expected.items():
        assert key_schema(tables[name]) == (pk, sk), f"{system}/{name}"


def test_table_counts_per_stage(synth: Synthesized) -> None:
    # 29 auxeira + 4 stackpro + 3 transcription, as issue 2 counts them.
    for stage in ("Dev", "Staging", "Prod"):
        assert len(synth.tables(stage)) == 36


def test_001_names_thirteen_needed_tables_all_declared(synth: Synthesized) -> None:
    needed = re.findall(r"### Table \d+: auxeira-([a-z-]+) \(NEEDED\)", seed_text(SEED_001))
    assert len(needed) == 13  # "Add 13 new tables"
    assert set(needed) <= set(synthesized_tables(synth, "Prod", "auxeira"))


def test_001_current_tables_match_the_prod_names(synth: Synthesized) -> None:
    # "Table 1: auxeira-users-prod": our physical names follow <system>-<table>-<stage>.
    current = re.findall(r"### Table \d+: (auxeira-[a-z-]+-prod) \(", seed_text(SEED_001))
    assert current == [
        "auxeira-users-prod",
        "auxeira-user-startup-mapping-prod",
        "auxeira-startup-profiles-prod",
        "auxeira-startup-activities-prod",
    ]
    names = {r["Properties"]["TableName"] for _, _, r in synth.tables("Prod")}
    assert set(current) <= names


def test_003_sql_tables_all_have_a_home(synth: Synthesized) -> None:
    # Every CREATE TABLE of 003 maps onto one DynamoDB table (users/companies/analytics_events
    # onto users/startup-profiles/user-activity).
    sql_tables = re.findall(r"CREATE TABLE (\w+) \(", seed_text(SEED_003))
    mapping = {"companies": "startup-profiles", "analytics_events": "user-activity"}
    homes = {mapping.get(t, t.replace("_", "-")) for t in sql_tables}
    assert len(sql_tables) == 10  # users, companies, investments, portfolio_metrics, esg_metrics,
    # economic_impact, corporate_partnerships, token_transactions, analytics_events, subscription_events
    assert homes <= set(synthesized_tables(synth, "Prod", "auxeira"))


def test_marketplace_tables_are_gated_and_quoted(synth: Synthesized) -> None:
    for quote in STACKPRO_MARKETPLACE.values():
        assert quote in seed_text(SEED_002)
    assert not set(STACKPRO_MARKETPLACE) & set(synthesized_tables(synth, "Prod", "stackpro"))


def test_marketplace_flag_adds_the_six_control_plane_tables(tmp_path: Path) -> None:
    from tests.conftest import synthesize

    marketplace = synthesize(tmp_path, marketplace_enabled="true", stages="dev")
    tables = synthesized_tables(marketplace, "Dev", "stackpro")
    assert sorted(tables) == sorted([*STACKPRO, *STACKPRO_MARKETPLACE])
    assert len(marketplace.tables("Dev")) == 42
    # "DynamoDB: Datasets (TTL enabled)"
    assert tables["datasets"]["Properties"]["TimeToLiveSpecification"]["Enabled"] is True
    # Tenant-scoped partition keys ("DynamoDB: User-scoped partition keys").
    for name in STACKPRO_MARKETPLACE:
        assert key_schema(tables[name])[0] == ("tenant_id", "S")
