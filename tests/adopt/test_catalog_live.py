"""The catalog's `live` block (issue 12): what the seeds say is live, and bad input.

Expected names come from the seed documents, not from the catalog itself.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tableforge.catalog import key_map_placeholders, load_catalog
from tests.test_catalog_errors import VALID, catalog_error, write_catalog

ROOT = Path(__file__).resolve().parents[2]

#: 001 "Current Database Architecture": the four production tables, all keyed PK/SK.
SEED_001_TABLES = {
    "users": "auxeira-users-prod",
    "user-startup-mapping": "auxeira-user-startup-mapping-prod",
    "startup-profiles": "auxeira-startup-profiles-prod",
    "startup-activities": "auxeira-startup-activities-prod",
}
#: 000's setup script: six tables, no stage suffix.
SEED_000_TABLES = {
    "auxeira-users",
    "auxeira-user-profiles",
    "auxeira-esg-reports",
    "auxeira-projects",
    "auxeira-leaderboard",
    "auxeira-user-activity",
}


@pytest.fixture(scope="module")
def catalog() -> Any:
    return load_catalog(ROOT / "catalog")


def live_names(catalog: Any, system: str, stage: str = "prod") -> dict[str, list[str | None]]:
    return {
        name: [entry.name for entry in spec.live.get(stage, [])]
        for name, spec in catalog.systems[system].tables.items()
        if spec.live.get(stage)
    }


def test_001_tables_are_taken_over_under_their_own_names(catalog: Any) -> None:
    names = live_names(catalog, "auxeira")
    for table, live in SEED_001_TABLES.items():
        assert names[table][0] == live


def test_every_000_table_is_mapped_once(catalog: Any) -> None:
    mapped = [n for names in live_names(catalog, "auxeira").values() for n in names if n in SEED_000_TABLES]
    assert sorted(mapped) == sorted(SEED_000_TABLES)


def test_users_merges_001_and_000_with_the_documented_key_mapping(catalog: Any) -> None:
    entries = catalog.systems["auxeira"].tables["users"].live["prod"]
    assert [e.name for e in entries] == ["auxeira-users-prod", "auxeira-users"]
    assert entries[1].key_map == {"PK": "USER#{user_id}", "SK": "PROFILE"}


def test_002_and_004_owners(catalog: Any) -> None:
    stackpro = catalog.systems["stackpro"].tables
    assert [e.name for e in stackpro["messages"].live["prod"]] == ["stackpro-sandbox-messages"]
    assert stackpro["user-profiles"].live["prod"][0].owner == "amplify"
    for table in ("users", "usage", "transactions"):
        entry = catalog.systems["transcription"].tables[table].live["prod"][0]
        assert entry.owner == "serverless"


def test_live_stays_out_of_dev_and_staging(catalog: Any) -> None:
    for spec in (spec for system in catalog.systems for spec in catalog.systems[system].tables.values()):
        assert set(spec.live) <= {"prod"}


# --- bad input: one CatalogError naming file, table and field -------------------------


def with_live(live: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    data["tables"]["orders"]["live"] = live
    return data


SRC = [{"doc": "test", "section": "live"}]


@pytest.mark.parametrize(
    ("live", "field", "words"),
    [
        ({"qa": [{"name": "orders-old", "source": SRC}]}, "live.qa", "unknown stage 'qa'"),
        (
            {"prod": [{"name": "orders-old", "key_map": {"SK": "X#{id}"}, "source": SRC}]},
            "live.prod[0].key_map.SK",
            "'SK' is not a key of the table",
        ),
        (
            {"prod": [{"name": "orders-old", "key_map": {"order_id": "ORDER#{id"}, "source": SRC}]},
            "live.prod[0].key_map.order_id",
            "unbalanced",
        ),
        (
            {"prod": [{"name": "orders-old", "key_map": {"order_id": "A|B"}, "source": SRC}]},
            "live.prod[0].key_map.order_id",
            "one value",
        ),
        ({"prod": [{"name": "x", "source": SRC}]}, "live.prod[0].name", "3-255 characters"),
        (
            {"prod": [{"name": "orders-old", "source": SRC}, {"name": "orders-old", "source": SRC}]},
            "live.prod[1].name",
            "listed twice",
        ),
        (
            {"prod": [{"name": "orders-old", "owner_stack": "s", "source": SRC}]},
            "live.prod[0].owner_stack",
            "needs an owner",
        ),
        ({"prod": [{"name": "orders-old", "owner": "terraform", "source": SRC}]}, "live.prod[0].owner", "amplify"),
        (
            {"prod": [{"name": "orders-old", "onwer": "amplify", "source": SRC}]},
            "live.prod[0].onwer",
            "did you mean 'owner'",
        ),
    ],
)
def test_bad_live_blocks(tmp_path: Path, live: Any, field: str, words: str) -> None:
    error = catalog_error(tmp_path, with_live(live))
    assert error.file and error.file.endswith("shop.yaml")
    assert error.item == "table 'orders'"
    assert error.field == field
    assert words in str(error)


def test_placeholders_are_parsed() -> None:
    assert key_map_placeholders("USER#{user_id}") == ["user_id"]
    assert key_map_placeholders("PROFILE") == []
    with pytest.raises(ValueError, match="empty placeholder"):
        key_map_placeholders("A#{}")


def test_a_number_key_is_mapped_from_one_attribute(tmp_path: Path) -> None:
    data = with_live({"prod": [{"name": "orders-old", "key_map": {"order_id": "N#{id}"}, "source": SRC}]})
    data["tables"]["orders"]["partition_key"]["type"] = "N"
    error = catalog_error(tmp_path, data)
    assert error.field == "live.prod[0].key_map.order_id" and "not a string key" in str(error)
    data["tables"]["orders"]["live"]["prod"][0]["key_map"] = {"order_id": "{id}"}
    assert load_catalog(write_catalog(tmp_path, data)).systems["shop"].tables["orders"].live["prod"][0].key_map
