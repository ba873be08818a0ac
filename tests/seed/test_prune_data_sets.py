"""--prune deletes only what the same data set (data folder) wrote: checked by comparing
every table of DynamoDB Local before and after."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from seed.cli import DEFAULT_DATA, main
from seed.dataset import marker

STAGE = "dev"


def run(capsys: pytest.CaptureFixture[str], ns: Any, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--stage", STAGE, "--endpoint-url", ns.endpoint])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def default_tables() -> dict[str, int]:
    """table -> item count of seed/data (stackpro is flag-gated off), read with plain PyYAML."""
    return {
        f"{p.parent.name}-{p.stem}-{STAGE}": len(yaml.safe_load(p.read_text()))
        for p in sorted(DEFAULT_DATA.glob("*/*.yaml"))
        if p.parent.name != "stackpro"
    }


def events(prefix: str, count: int) -> list[dict[str, Any]]:
    return [{"PK": f"EVENT#{prefix}{i:03d}", "SK": "DATE#2026-02-01", "n": i} for i in range(count)]


def folder(root: Path, files: dict[str, list[dict[str, Any]]]) -> Path:
    for relative, items in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(items))
    return root


def without_marker(table: dict[str, str]) -> dict[str, dict[str, Any]]:
    out = {}
    for key, text in table.items():
        item = json.loads(text)
        item.pop("seeded_by")
        out[key] = item
    return out


def test_a_folder_holding_part_of_the_data_prunes_nothing_it_did_not_write(
    ns: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's case: a folder with only auxeira/partners.yaml, --prune, against tables
    that seed/data and another folder loaded: not one item of any table goes."""
    ns.create(*default_tables())
    assert run(capsys, ns, "load")[0] == 0
    other = folder(tmp_path / "other", {"auxeira/events.json": events("other", 40)})
    assert run(capsys, ns, "load", "--data", str(other))[0] == 0
    partial = tmp_path / "partial"
    (partial / "auxeira").mkdir(parents=True)
    shutil.copy(DEFAULT_DATA / "auxeira" / "partners.yaml", partial / "auxeira" / "partners.yaml")
    before = ns.snapshot()
    assert sum(len(t) for t in before.values()) == sum(default_tables().values()) + 40

    code, out, _ = run(capsys, ns, "load", "--data", str(partial), "--prune", "--dry-run", "--json")
    assert code == 0
    assert json.loads(out)["removed"] == 0
    assert ns.snapshot() == before

    code, out, _ = run(capsys, ns, "load", "--data", str(partial), "--prune", "--json")
    assert code == 0
    assert json.loads(out)["deleted"] == 0
    after = ns.snapshot()
    changed = {name for name in before if after[name] != before[name]}
    assert changed == {"auxeira-partners-dev"}  # its items are now the partial folder's...
    partners = "auxeira-partners-dev"
    assert without_marker(after[partners]) == without_marker(before[partners])  # ...and otherwise the same
    assert {json.loads(i)["seeded_by"]["S"] for i in after[partners].values()} == {marker(partial)}


def test_two_folders_writing_one_table_prune_only_their_own_items(
    ns: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "auxeira-events-dev"
    ns.create(name)
    first = folder(tmp_path / "first", {"auxeira/events.json": events("a", 10)})
    second_items = events("b", 10)
    second = folder(tmp_path / "second", {"auxeira/events.json": second_items})
    for data in (first, second):
        assert run(capsys, ns, "load", "--data", str(data))[0] == 0
    before = ns.snapshot()
    dropped = second_items.pop()
    folder(second, {"auxeira/events.json": second_items})

    code, out, _ = run(capsys, ns, "load", "--data", str(second), "--prune", "--json")
    assert code == 0
    assert (json.loads(out)["deleted"], json.loads(out)["written"]) == (1, 0)
    after = ns.snapshot()
    gone = set(before[name]) - set(after[name])
    assert [json.loads(k) for k in gone] == [[{"S": dropped["PK"]}, {"S": dropped["SK"]}]]
    assert after == {name: {k: v for k, v in before[name].items() if k not in gone}}


def test_migration_gives_old_marker_items_back_to_their_folder(
    ns: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before data sets had names, every load wrote seeded_by = tableforge.seed, which now
    means seed/data. Items another folder wrote then would be pruned by seed/data's next
    --prune; migrate-markers hands them back to that folder."""
    name = "auxeira-events-dev"
    ns.create(name)
    assert run(capsys, ns, "load", "--table", "events")[0] == 0  # seed/data's events
    ours = len(yaml.safe_load((DEFAULT_DATA / "auxeira" / "events.yaml").read_text()))
    old = events("old", 4)
    for item in old:  # what the old loader wrote from another folder
        ns.client.put_item(
            TableName=name,
            Item={"PK": {"S": item["PK"]}, "SK": {"S": item["SK"]}, "n": {"N": str(item["n"])}}
            | {"seeded_by": {"S": "tableforge.seed"}},
        )
    data = folder(tmp_path / "old", {"auxeira/events.json": old[:3]})  # old[3] left the folder since
    before = ns.snapshot()

    code, out, _ = run(capsys, ns, "migrate-markers", "--data", str(data), "--dry-run", "--json")
    assert code == 0, out
    assert json.loads(out) == [{"name": name, "found": ours + 4, "kept": ours, "moved": 4}]
    assert ns.snapshot() == before

    code, out, _ = run(capsys, ns, "migrate-markers", "--data", str(data))
    assert code == 0
    assert f"{name}: {ours + 4} item(s) marked 'tableforge.seed': re-marked 4" in out
    after = ns.snapshot()
    moved = {k for k in before[name] if after[name][k] != before[name][k]}
    assert {json.loads(k)[0]["S"] for k in moved} == {i["PK"] for i in old}
    assert all(json.loads(after[name][k])["seeded_by"] == {"S": marker(data)} for k in moved)

    # seed/data's prune leaves them alone now; the folder's own prune removes its stale item
    code, out, _ = run(capsys, ns, "load", "--table", "events", "--prune", "--json")
    assert (code, json.loads(out)["deleted"]) == (0, 0)
    code, out, _ = run(capsys, ns, "load", "--data", str(data), "--prune", "--json")
    assert (code, json.loads(out)["deleted"]) == (0, 1)
    keys = {(i["PK"]["S"], i["SK"]["S"]) for i in ns.scan(name)}
    assert (old[3]["PK"], old[3]["SK"]) not in keys and len(keys) == ours + 3


def test_a_folder_without_data_files_is_an_error_even_with_prune(
    ns: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--data pointing one level too deep (seed/data/auxeira) found no file and, with
    --prune, went on to prune every table of the catalog."""
    ns.create(*default_tables())
    assert run(capsys, ns, "load")[0] == 0
    before = ns.snapshot()
    code, _, err = run(capsys, ns, "load", "--data", str(DEFAULT_DATA / "auxeira"), "--prune")
    assert code == 2
    assert "no data files found" in err and "nothing was written" in err
    assert ns.snapshot() == before
