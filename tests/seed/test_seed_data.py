"""The shipped data says what the seed documents say. Expected values are quoted from
the documents (file and wording in each test), not read from the data files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from seed.cli import DEFAULT_DATA
from seed.datafiles import discover, validate_sources
from tableforge.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]


def items(system: str, table: str) -> list[dict[str, Any]]:
    return yaml.safe_load((DEFAULT_DATA / system / f"{table}.yaml").read_text())


def test_every_data_file_is_valid_for_the_catalog() -> None:
    catalog = load_catalog(ROOT / "catalog", flags={"marketplace_enabled": True})
    sources = discover(DEFAULT_DATA, catalog)
    assert {s.system for s in sources} == {"auxeira", "stackpro", "transcription"}
    validated = validate_sources(sources)
    assert all(count > 0 for count in validated.counts.values())


def test_every_file_says_it_is_starter_content() -> None:
    for path in DEFAULT_DATA.glob("*/*.yaml"):
        assert path.read_text().startswith("# Starter content, not production data"), path


def test_auxeira_reference_sets_match_the_seeds() -> None:
    # 001: "The system supports 6 user types"; user_type (startup_founder, angel_investor, vc,
    # corporate_partner, government, admin)
    assert sorted(u["user_type"] for u in items("auxeira", "users")) == sorted(
        ["startup_founder", "angel_investor", "vc", "corporate_partner", "government", "admin"]
    )
    # 001: "23 dashboards (6 main + 17 SDG)"
    sdgs = items("auxeira", "leaderboard")
    assert sorted(s["sdg_number"] for s in sdgs) == list(range(1, 18))
    # 000: "AI Report Generation: 15 report types with premium monetization"
    reports = items("auxeira", "esg-reports")
    assert len({r["report_id"] for r in reports}) == 15
    assert any(r["is_premium"] for r in reports) and not all(r["is_premium"] for r in reports)
    # 001 Table 13: milestone_category (product, financial, team, legal, traction), weight
    milestones = items("auxeira", "funding-readiness-checklist")
    assert {m["milestone_category"] for m in milestones} == {"product", "financial", "team", "legal", "traction"}
    assert sum(m["weight"] for m in milestones) == 100
    # 001 Table 5: activity_category (bronze, silver, gold); SK VERSION#{version}
    activities = items("auxeira", "activities-catalog")
    assert {a["activity_category"] for a in activities} == {"bronze", "silver", "gold"}
    assert all(a["SK"] == f"VERSION#{a['version']}" and a["aux_tokens_reward"] > 0 for a in activities)
    assert all(isinstance(a["proof_requirements"], list) and a["proof_requirements"] for a in activities)
    # 001 Table 10: partner_category (cloud, legal, marketing, hr, finance, etc.),
    # partner_tier_requirement (bronze, silver, gold, platinum)
    partners = items("auxeira", "partners")
    assert {"cloud", "legal", "marketing", "hr", "finance"} <= {p["partner_category"] for p in partners}
    assert {p["partner_tier_requirement"] for p in partners} <= {"bronze", "silver", "gold", "platinum"}
    # 001: subscription_tier (Growth, Scale, Enterprise); partner_tier (Bronze, Silver, Gold, Platinum)
    tiers = items("auxeira", "subscription-events")
    assert [t["tier_name"] for t in tiers if t["record_type"] == "partner_tier"] == [
        "Bronze",
        "Silver",
        "Gold",
        "Platinum",
    ]
    assert {"Growth", "Scale", "Enterprise"} <= {
        t["tier_name"] for t in tiers if t["record_type"] == "subscription_tier"
    }
    # 001 Table 8: event_type (funding, technology, networking, partner)
    assert {e["event_type"] for e in items("auxeira", "events")} == {"funding", "technology", "networking", "partner"}


def test_stackpro_policy_flags_and_settings_match_002() -> None:
    settings = {s["consent_id"]: s for s in items("stackpro", "consent-settings")}
    policy = settings["POLICY#anonymization#default-v2"]
    # 002: "K-Anonymity: k=20 minimum group size"; "Retention: 90 days raw, 730 days anonymized"
    assert (policy["k_anonymity"], policy["retention_raw_days"], policy["retention_anonymized_days"]) == (20, 90, 730)
    # 002: "Feature Flags (All OFF)": MARKETPLACE_ENABLED, ETL_ENABLED, IOT_ENABLED, DATA_SELLER_PORTAL_ENABLED
    flags = {s["flag"]: s["enabled"] for s in settings.values() if s["record_type"] == "feature_flag"}
    assert flags == dict.fromkeys(
        ["MARKETPLACE_ENABLED", "ETL_ENABLED", "IOT_ENABLED", "DATA_SELLER_PORTAL_ENABLED"], False
    )
    # 002: "Budget alerts: $5 threshold with 50%/80%/100% warnings"
    assert settings["SETTING#budget_alert_usd"]["value"] == 5
    assert settings["SETTING#budget_alert_percentages"]["value"] == [50, 80, 100]
    assert any(s["record_type"] == "subscription_product" for s in settings.values())


def test_transcription_packages_and_tiers_use_004s_transaction_fields() -> None:
    # 004 Transactions Table: package_id, credits, amount
    rows = items("transcription", "transactions")
    packages = [r for r in rows if r["record_type"] == "credit_package"]
    assert packages and all({"package_id", "credits", "amount"} <= set(p) for p in packages)
    assert any(r["record_type"] == "subscription_tier" for r in rows)
    # reference rows stay out of user-id-index: no user_id
    assert all("user_id" not in r for r in rows)


@pytest.mark.parametrize(
    ("system", "table", "gsi_attrs"),
    [
        ("auxeira", "esg-reports", []),
        ("auxeira", "subscription-events", ["user_id", "event_type"]),
        ("auxeira", "leaderboard", ["score"]),
    ],
)
def test_reference_rows_stay_out_of_indexes(system: str, table: str, gsi_attrs: list[str]) -> None:
    for item in items(system, table):
        assert not any(a in item for a in gsi_attrs)
        assert "expires_at" not in item  # never deleted by TTL
