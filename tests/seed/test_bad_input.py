"""Every kind of bad input: a clear error naming file, item and field; no traceback;
not one item written to any table, including the valid files of the same load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from seed.cli import main

GOOD = "- {PK: 'EVENT#good', SK: 'DATE#2026-01-01', event_name: Fine}\n"
#: DynamoDB's documented maximum item size: 400 KB.
LIMIT = 400 * 1024

# (case id, file name under auxeira/, content, words the error must contain)
CASES = [
    (
        "missing-sort-key",
        "partners.yaml",
        "- {PK: 'PARTNER#a', partner_name: A}\n",
        ["auxeira/partners.yaml", "item [0] (PK='PARTNER#a')", "field 'SK'", "missing"],
    ),
    (
        "wrong-key-type",
        "partners.yaml",
        "- {PK: 'PARTNER#a', SK: 'OFFERING#1'}\n- {PK: 12, SK: 'OFFERING#2'}\n",
        ["item [1] (PK=12 SK='OFFERING#2')", "field 'PK'", "must be a string"],
    ),
    (
        "wrong-gsi-key-type",
        "leaderboard.yaml",
        "- {leaderboard_id: 'SDG#01', entity_id: s1, score: high}\n",
        ["auxeira/leaderboard.yaml", "item [0]", "field 'score'", "must be a number"],
    ),
    (
        "bool-is-not-a-number",
        "leaderboard.yaml",
        "- {leaderboard_id: 'SDG#01', entity_id: s1, score: true}\n",
        ["field 'score'", "must be a number"],
    ),
    ("empty-string-key", "partners.yaml", "- {PK: '', SK: 'OFFERING#1'}\n", ["item [0]", "field 'PK'", "empty"]),
    (
        "empty-string-gsi-key",
        "users.yaml",
        "- {PK: 'USER#a', SK: PROFILE, email: ''}\n",
        ["auxeira/users.yaml", "field 'email'", "empty"],
    ),
    (
        "duplicate-key",
        "partners.yaml",
        "- {PK: 'PARTNER#a', SK: 'OFFERING#1'}\n- {PK: 'PARTNER#b', SK: 'OFFERING#1'}\n- {PK: 'PARTNER#a', SK: 'OFFERING#1', x: 2}\n",
        ["item [2] (PK='PARTNER#a' SK='OFFERING#1')", "duplicate key", "item [0]"],
    ),
    (
        "duplicate-attribute",
        "partners.yaml",
        "- PK: 'PARTNER#a'\n  SK: 'OFFERING#1'\n  PK: 'PARTNER#b'\n",
        ["auxeira/partners.yaml", "duplicate attribute 'PK'", "line 3"],
    ),
    (
        "reserved-marker",
        "partners.yaml",
        "- {PK: 'PARTNER#a', SK: 'OFFERING#1', seeded_by: me}\n",
        ["field 'seeded_by'", "reserved"],
    ),
    (
        "key-pattern",
        "users.yaml",
        "- {PK: 'USER#a', SK: PROFILE}\n- {PK: 'USR#b', SK: PROFILE}\n",
        ["auxeira/users.yaml", "item [1] (PK='USR#b' SK='PROFILE')", "field 'PK'", "pattern 'USER#{user_id}'"],
    ),
    (
        "key-pattern-alternatives",
        "users.yaml",
        "- {PK: 'USER#a', SK: PROFILES}\n",
        ["item [0]", "field 'SK'", "pattern 'PROFILE|SETTINGS|SUBSCRIPTION'"],
    ),
    ("ttl-not-a-number", "users.yaml", None, None),  # filled below: users has no TTL; use notifications
    (
        "nan",
        "partners.yaml",
        "- {PK: 'PARTNER#a', SK: 'OFFERING#1', ratio: .nan}\n",
        ["auxeira/partners.yaml", "not a number DynamoDB can store", "line 1"],
    ),
    (
        "too-many-digits",
        "partners.yaml",
        "- {PK: 'PARTNER#a', SK: 'OFFERING#1', big: 123456789012345678901234567890123456789}\n",
        ["item [0]", "field 'big'", "significant digits"],
    ),
    ("not-a-list", "partners.yaml", "PK: 'PARTNER#a'\nSK: 'OFFERING#1'\n", ["auxeira/partners.yaml", "list of items"]),
    ("item-not-a-mapping", "partners.yaml", "- just a string\n", ["item [0]", "mapping"]),
    (
        "invalid-json",
        "partners.json",
        '[{"PK": "PARTNER#a", "SK": "OFFERING#1"}, {"PK": }]',
        ["auxeira/partners.json", "item [1]", "invalid JSON"],
    ),
    (
        "unknown-table",
        "no-such-table.yaml",
        GOOD,
        ["auxeira/no-such-table.yaml", "table 'no-such-table'", "does not declare"],
    ),
]
CASES = [c for c in CASES if c[2] is not None] + [
    (
        "ttl-not-a-number",
        "notifications.yaml",
        "- {PK: 'USER#a', SK: 'NOTIFICATION#1', expires_at: '2026-01-01'}\n",
        ["auxeira/notifications.yaml", "field 'expires_at'", "epoch seconds"],
    ),
]


def _load(ns: Any, data: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["load", "--stage", "dev", "--endpoint-url", ns.endpoint, "--data", str(data)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, err


TABLES = [
    "auxeira-events-dev",
    "auxeira-partners-dev",
    "auxeira-leaderboard-dev",
    "auxeira-users-dev",
    "auxeira-notifications-dev",
]


@pytest.fixture(scope="module")
def tables(module_ns: Any) -> Any:
    """Created once: every case below must leave all of them empty."""
    module_ns.create(*TABLES)
    return module_ns


@pytest.mark.parametrize(("file", "content", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_names_file_item_field_and_writes_nothing(
    tables: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], file: str, content: str, expected: list[str]
) -> None:
    ns = tables
    data = tmp_path / "data"
    (data / "auxeira").mkdir(parents=True)
    (data / "auxeira" / "events.yaml").write_text(GOOD)  # valid, and sorted before the bad file
    (data / "auxeira" / file).write_text(content)
    code, err = _load(ns, data, capsys)
    assert code != 0
    assert err.startswith("error: ")
    for words in expected:
        assert words in err, (words, err)
    for table in TABLES:
        assert ns.count(table) == 0, table


def test_item_over_400_kb_is_rejected_and_just_under_is_written(
    ns: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ns.create("auxeira-events-dev")
    data = tmp_path / "data"
    (data / "auxeira").mkdir(parents=True)
    path = data / "auxeira" / "events.json"
    # name "blob" (4 bytes) + value: one byte over DynamoDB's limit with the keys and marker
    path.write_text(json.dumps([{"PK": "EVENT#big", "SK": "DATE#1", "blob": "x" * LIMIT}]))
    code, err = _load(ns, data, capsys)
    assert code != 0
    assert "auxeira/events.json" in err and "item [0] (PK='EVENT#big' SK='DATE#1')" in err
    assert "at most 409600" in err
    assert ns.count("auxeira-events-dev") == 0

    # 395 KB of payload: valid, and DynamoDB Local (which enforces the limit) accepts it
    path.write_text(json.dumps([{"PK": "EVENT#big", "SK": "DATE#1", "blob": "x" * (395 * 1024)}]))
    code, err = _load(ns, data, capsys)
    assert code == 0, err
    assert ns.count("auxeira-events-dev") == 1


def test_data_for_unknown_system_is_an_error(tables: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    (data / "nosuch").mkdir(parents=True)
    (data / "nosuch" / "things.yaml").write_text(GOOD)
    code, err = _load(tables, data, capsys)
    assert code != 0 and "system 'nosuch'" in err


def test_all_errors_are_reported_together(tables: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ns = tables
    data = tmp_path / "data"
    (data / "auxeira").mkdir(parents=True)
    (data / "auxeira" / "partners.yaml").write_text(
        "- {PK: 'PARTNER#a'}\n- {PK: 'PARTNER#b', SK: 'OFFERING#1'}\n- {PK: 'PARTNER#c', SK: ''}\n"
    )
    code, err = _load(ns, data, capsys)
    assert code != 0
    assert "2 invalid item(s); nothing was written" in err
    assert "item [0] (PK='PARTNER#a'): field 'SK'" in err and "item [2] (PK='PARTNER#c' SK=''): field 'SK'" in err
