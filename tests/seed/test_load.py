"""Load, reload, prune and dry-run against a real DynamoDB Local, through the CLI."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from seed.cli import DEFAULT_DATA, main

STAGE = "dev"


def run(capsys: pytest.CaptureFixture[str], ns: Any, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--stage", STAGE, "--endpoint-url", ns.endpoint])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def default_files() -> dict[str, int]:
    """table name -> item count, read with plain PyYAML: independent of the loader."""
    counts = {}
    for path in sorted(DEFAULT_DATA.glob("*/*.yaml")):
        if path.parent.name == "stackpro":  # flag-gated (marketplace_enabled off by default)
            continue
        counts[f"{path.parent.name}-{path.stem}-{STAGE}"] = len(yaml.safe_load(path.read_text()))
    return counts


def test_load_then_reload_writes_nothing(ns: Any, capsys: pytest.CaptureFixture[str]) -> None:
    expected = default_files()
    ns.create(*expected)
    code, out, _ = run(capsys, ns, "load", "--json")
    assert code == 0
    first = json.loads(out)
    assert first["written"] == sum(expected.values())
    for name, count in expected.items():
        assert ns.count(name) == count, name
    # every item carries the loader's marker (what --prune relies on)
    assert all(i["seeded_by"] == {"S": "tableforge.seed"} for i in ns.scan("auxeira-users-dev"))

    code, out, _ = run(capsys, ns, "load")
    assert code == 0
    total = sum(expected.values())
    assert f"total: written 0, unchanged {total}, deleted 0" in out
    code, out, _ = run(capsys, ns, "load", "--json")
    again = json.loads(out)
    assert (again["written"], again["unchanged"]) == (0, total)


def _copy_table_data(tmp_path: Path, system: str, table: str) -> Path:
    data = tmp_path / "data"
    (data / system).mkdir(parents=True)
    shutil.copy(DEFAULT_DATA / system / f"{table}.yaml", data / system / f"{table}.yaml")
    return data


def test_prune_deletes_only_items_the_loader_wrote(ns: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = "auxeira-events-dev"
    ns.create(name)
    data = _copy_table_data(tmp_path, "auxeira", "events")
    path = data / "auxeira" / "events.yaml"
    events = yaml.safe_load(path.read_text())
    assert run(capsys, ns, "load", "--data", str(data))[0] == 0
    # someone else's item in the same table: no marker, so never pruned
    ns.client.put_item(TableName=name, Item={"PK": {"S": "EVENT#hand-made"}, "SK": {"S": "DATE#2026-01-01"}})
    dropped = events.pop()
    path.write_text(yaml.safe_dump(events))

    code, out, _ = run(capsys, ns, "load", "--data", str(data), "--prune", "--json")
    assert code == 0
    result = json.loads(out)
    assert (result["deleted"], result["written"], result["unchanged"]) == (1, 0, len(events))
    keys = {(i["PK"]["S"], i["SK"]["S"]) for i in ns.scan(name)}
    assert (dropped["PK"], dropped["SK"]) not in keys
    assert ("EVENT#hand-made", "DATE#2026-01-01") in keys
    assert len(keys) == len(events) + 1

    # without --prune nothing is deleted
    events.pop()
    path.write_text(yaml.safe_dump(events))
    assert json.loads(run(capsys, ns, "load", "--data", str(data), "--json")[1])["deleted"] == 0
    assert ns.count(name) == len(events) + 2


def test_dry_run_writes_nothing_and_prints_the_diff(
    ns: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "auxeira-partners-dev"
    ns.create(name)
    data = _copy_table_data(tmp_path, "auxeira", "partners")
    path = data / "auxeira" / "partners.yaml"
    offerings = yaml.safe_load(path.read_text())

    code, out, _ = run(capsys, ns, "load", "--data", str(data), "--dry-run")
    assert code == 0
    assert ns.count(name) == 0
    assert f"would write {len(offerings)} (added {len(offerings)}, changed 0)" in out
    assert "+ PK='PARTNER#cloudboost' SK='OFFERING#startup-credits'" in out

    assert run(capsys, ns, "load", "--data", str(data))[0] == 0
    before = sorted(map(str, ns.scan(name)))
    offerings[0]["discount_value"] = 7500
    removed = offerings.pop()
    path.write_text(yaml.safe_dump(offerings))

    code, out, _ = run(capsys, ns, "load", "--data", str(data), "--dry-run", "--prune", "--json")
    result = json.loads(out)
    assert (result["added"], result["changed"], result["removed"], result["written"], result["deleted"]) == (
        0,
        1,
        1,
        0,
        0,
    )
    diff = result["tables"][0]["diff"]
    assert f"~ PK='{offerings[0]['PK']}' SK='{offerings[0]['SK']}' (discount_value)" in diff
    assert f"- PK='{removed['PK']}' SK='{removed['SK']}'" in diff
    assert sorted(map(str, ns.scan(name))) == before


def test_numbers_are_stored_exactly(ns: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """0.1 must arrive as 0.1, not 0.1000000000000000055511151231257827 (the float)."""
    name = "auxeira-events-dev"
    ns.create(name)
    data = tmp_path / "data"
    (data / "auxeira").mkdir(parents=True)
    (data / "auxeira" / "events.yaml").write_text(
        "- {PK: 'EVENT#y', SK: 'DATE#1', ratio: 0.1, tiny: 1.5e-7, wide: 12345678901234567890.123456789012345678}\n"
    )
    (data / "auxeira" / "partners.json").write_text(
        '[{"PK": "PARTNER#j", "SK": "OFFERING#1", "ratio": 0.1, "price": 19.99}]'
    )
    ns.create("auxeira-partners-dev")
    assert run(capsys, ns, "load", "--data", str(data))[0] == 0
    yaml_item = ns.scan(name)[0]
    assert yaml_item["ratio"] == {"N": "0.1"}
    assert yaml_item["tiny"] == {"N": "1.5E-7"} or yaml_item["tiny"] == {"N": "0.00000015"}
    assert yaml_item["wide"] == {"N": "12345678901234567890.123456789012345678"}
    json_item = ns.scan("auxeira-partners-dev")[0]
    assert (json_item["ratio"], json_item["price"]) == ({"N": "0.1"}, {"N": "19.99"})


def test_flag_gated_table_is_skipped_unless_enabled(ns: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, ns, "load", "--system", "stackpro")
    assert code == 0
    assert "stackpro-consent-settings-dev: skipped (table disabled: feature flag marketplace_enabled is off)" in out


def test_missing_table_is_an_error_before_any_write(ns: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ns.create("auxeira-activities-catalog-dev")  # one of the data's tables exists, the others don't
    code, _, err = run(capsys, ns, "load", "--system", "auxeira")
    assert code != 0
    assert "does not exist at this endpoint" in err
    assert ns.count("auxeira-activities-catalog-dev") == 0


def test_binary_sets_and_nested_values_round_trip(ns: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The loader encodes request bodies itself: binary must arrive base64-decoded, maps
    and lists intact, and a reload must see them as unchanged."""
    ns.create("auxeira-events-dev")
    data = tmp_path / "data"
    (data / "auxeira").mkdir(parents=True)
    (data / "auxeira" / "events.yaml").write_text(
        "- PK: 'EVENT#bin'\n  SK: 'DATE#1'\n  logo: !!binary aGVsbG8=\n"
        "  meta: {tags: [a, b], nested: {n: 1.50, ok: true, none: null}}\n"
    )
    assert run(capsys, ns, "load", "--data", str(data))[0] == 0
    (item,) = ns.scan("auxeira-events-dev")
    assert item["logo"] == {"B": b"hello"}
    assert item["meta"]["M"]["tags"] == {"L": [{"S": "a"}, {"S": "b"}]}
    nested = item["meta"]["M"]["nested"]["M"]
    assert Decimal(nested.pop("n")["N"]) == Decimal("1.5")
    assert nested == {"ok": {"BOOL": True}, "none": {"NULL": True}}
    code, out, _ = run(capsys, ns, "load", "--data", str(data))
    assert "written 0, unchanged 1" in out


def test_prune_covers_a_table_whose_data_file_was_removed(
    ns: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ns.create("auxeira-events-dev", "auxeira-partners-dev")
    data = _copy_table_data(tmp_path, "auxeira", "events")
    shutil.copy(DEFAULT_DATA / "auxeira" / "partners.yaml", data / "auxeira" / "partners.yaml")
    assert run(capsys, ns, "load", "--data", str(data), "--system", "auxeira")[0] == 0
    partners = len(yaml.safe_load((data / "auxeira" / "partners.yaml").read_text()))
    ns.client.put_item(TableName="auxeira-partners-dev", Item={"PK": {"S": "PARTNER#other"}, "SK": {"S": "OFFERING#x"}})
    (data / "auxeira" / "partners.yaml").unlink()

    code, out, _ = run(capsys, ns, "load", "--data", str(data), "--system", "auxeira", "--prune")
    assert code == 0
    assert f"auxeira-partners-dev: written 0, unchanged 0, deleted {partners}" in out
    assert [i["PK"]["S"] for i in ns.scan("auxeira-partners-dev")] == ["PARTNER#other"]
    assert ns.count("auxeira-events-dev") == len(yaml.safe_load((data / "auxeira" / "events.yaml").read_text()))


def test_table_alone_must_be_unambiguous(ns: Any, capsys: pytest.CaptureFixture[str]) -> None:
    # 'users' is both auxeira's (001) and transcription's (004) table
    code, _, err = run(capsys, ns, "load", "--table", "users")
    assert code != 0 and "table 'users' is in auxeira, transcription" in err
    ns.create("auxeira-events-dev")
    events = len(yaml.safe_load((DEFAULT_DATA / "auxeira" / "events.yaml").read_text()))
    code, out, _ = run(capsys, ns, "load", "--table", "events")
    assert code == 0 and f"auxeira-events-dev: written {events}," in out
    assert f"total: written {events}," in out  # nothing but that table
