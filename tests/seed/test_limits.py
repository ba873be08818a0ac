"""DynamoDB's limits on an item are checked before the first write.

Every boundary is tried on both sides against a real DynamoDB Local, which enforces
the same limits: the value at the limit is loaded and read back, the value past it
is refused with one ``error:`` naming the file, the item (its key) and the field,
and not one item of any table changes (a scan of every table before and after). The
expected boundaries are AWS's documented ones (developer guide, "Service, account,
and table quotas" and "DynamoDB item sizes and formats") and, where the guide says
"approximately", what DynamoDB Local 3.3.1 accepts (measured, noted at each case).

Each load also carries a valid data file for a table sorted before the bad one
(``activities-catalog``), with a new item every time: what the old loader wrote
before DynamoDB refused the bad item shows up in the scan.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from seed import dataset
from seed.cli import make_client
from seed.datafiles import SeedValidationError, discover
from seed.sync import Loader, LoadOptions
from tableforge.catalog import load_catalog
from tableforge.naming import table_name
from tests.seed.test_limits_support import STAGE, Seeder, pad, snapshot

ROOT = Path(__file__).resolve().parents[2]
#: DynamoDB's documented maximum item size: 400 KB (1 KB = 1024 bytes).
LIMIT = 400 * 1024
#: The attribute the loader adds to every item it writes, counted in its size.
#: The seeded_by attribute's size: its name plus the data set's marker, which names the data
#: folder (a load from outside seed/data marks its items with its own data set).
MARKER = 0


@pytest.fixture(autouse=True)
def _marker_size(seeder: Seeder) -> None:
    global MARKER
    MARKER = len("seeded_by") + len(dataset.marker(seeder.tmp_path / "data10000"))


@pytest.fixture
def seeder(ns: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Seeder:
    return Seeder(ns, tmp_path, capsys)


# --- key sizes -----------------------------------------------------------------------

# (data file, key of the accepted item, the accepted item, the refused item, field, words)
KEY_CASES: list[tuple[str, dict[str, str], dict[str, Any], dict[str, Any], str, str]] = []


def _key_cases() -> None:
    pk = pad("EVENT#", 2048)
    KEY_CASES.append(
        (
            "events.json",
            {"PK": pk, "SK": "DATE#1"},
            {"PK": pk, "SK": "DATE#1"},
            {"PK": pad("EVENT#", 2049), "SK": "DATE#1"},
            "PK",
            "2049 bytes; DynamoDB allows at most 2048",
        )
    )
    pk = pad("EVENT#", 2048, "é")  # two bytes each: 2048 bytes, 1024-odd characters
    KEY_CASES.append(
        (
            "events.json",
            {"PK": pk, "SK": "DATE#1"},
            {"PK": pk, "SK": "DATE#1"},
            {"PK": pad("EVENT#", 2049, "é"), "SK": "DATE#1"},
            "PK",
            "2049 bytes",
        )
    )
    sk = pad("DATE#", 1024)
    KEY_CASES.append(
        (
            "events.json",
            {"PK": "EVENT#sk", "SK": sk},
            {"PK": "EVENT#sk", "SK": sk},
            {"PK": "EVENT#sk", "SK": pad("DATE#", 1025)},
            "SK",
            "1025 bytes; DynamoDB allows at most 1024",
        )
    )
    user = {"PK": "USER#big", "SK": "PROFILE"}
    # email is the partition key of email-index: 2048 bytes, like a table's
    KEY_CASES.append(
        (
            "users.json",
            user,
            {**user, "email": pad("e", 2048)},
            {**user, "email": pad("e", 2049)},
            "email",
            "at most 2048 for the partition key of index email-index",
        )
    )
    # subscription_status is the sort key of user-type-status-index: 1024 bytes
    KEY_CASES.append(
        (
            "users.json",
            user,
            {**user, "user_type": "vc", "subscription_status": pad("s", 1024)},
            {**user, "user_type": "vc", "subscription_status": pad("s", 1025)},
            "subscription_status",
            "at most 1024 for the sort key of index user-type-status-index",
        )
    )
    # DynamoDB Local checks an index key's size even when the item is not in the index
    KEY_CASES.append(
        (
            "users.json",
            user,
            {**user, "subscription_status": pad("s", 1024)},
            {**user, "subscription_status": pad("s", 1025)},
            "subscription_status",
            "for the sort key of index user-type-status-index",
        )
    )
    # user-startup-mapping's PK is also inverted-index's sort key: 1024 bytes, not 2048
    pk = pad("USER#", 1024)
    KEY_CASES.append(
        (
            "user-startup-mapping.json",
            {"PK": pk, "SK": "STARTUP#1"},
            {"PK": pk, "SK": "STARTUP#1"},
            {"PK": pad("USER#", 1025), "SK": "STARTUP#1"},
            "PK",
            "at most 1024 for the sort key of index inverted-index",
        )
    )


_key_cases()


def test_key_sizes_of_table_and_index_keys(seeder: Seeder) -> None:
    seeder.tables("events", "users", "user-startup-mapping")
    for file, key, accepted, refused, field, words in KEY_CASES:
        seeder.accepts({file: [accepted]})
        assert seeder.item(file.removesuffix(".json"), **key), (file, field)
        seeder.refuses({file: [refused]}, f"auxeira/{file}", "item [0] (PK=", f"field '{field}'", words)


# --- numbers -------------------------------------------------------------------------

BIGGEST = "9.9999999999999999999999999999999999999E+125"  # 38 nines: the guide's maximum
ACCEPTED_NUMBERS = [
    # JSON text of the number: DynamoDB Local stores each
    "99999999999999999999999999999999999999",  # 38 digits
    "-99999999999999999999999999999999999999",
    "1" + "0" * 125,  # the integer 1E+125: one significant digit
    "-1" + "0" * 125,
    "12345678901234567890123456789012345678" + "0" * 88,  # 38 digits, 1.23...E+125
    BIGGEST,
    "-" + BIGGEST,
    "1E-130",  # the smallest magnitude
    "-1E-130",
    "0E-200",  # zero, whatever its exponent
    "0.000000000000000000000000000000000000000000001",
    "1.00000000000000000000000000000000000000000000",  # trailing zeros are not significant
]
REFUSED_NUMBERS = [
    # (JSON text, words of the error): DynamoDB Local refuses each
    ("1" + "0" * 126, "too large"),  # the integer 1E+126: Number overflow
    ("1" + "0" * 130, "too large"),  # the 10^130
    ("-1" + "0" * 126, "too large"),
    ("1E+126", "too large"),
    ("-1E+126", "too large"),
    ("9.9E-131", "too small"),  # Number underflow
    ("-9.9E-131", "too small"),
    ("123456789012345678901234567890123456789", "39 significant digits"),
    ("1.23456789012345678901234567890123456789", "39 significant digits"),
    ("9.99999999999999999999999999999999999999E+125", "39 significant digits"),
    ("NaN", "not a number DynamoDB can store"),
    ("Infinity", "not a number DynamoDB can store"),
    ("-Infinity", "not a number DynamoDB can store"),
]


def _number_file(rows: list[tuple[str, str]]) -> str:
    """events.json with one item per (id, JSON number): numbers written as their text."""
    items = [f'{{"PK": "EVENT#{row_id}", "SK": "DATE#1", "n": {number}}}' for row_id, number in rows]
    return "[" + ",\n".join(items) + "]"


def test_numbers_at_dynamodb_limits_in_every_form(seeder: Seeder) -> None:
    seeder.tables("events", "leaderboard")
    # accepted, from JSON (ints and decimals) and YAML (ints and floats), read back as stored
    seeder.accepts({"events.json": _number_file([(str(i), n) for i, n in enumerate(ACCEPTED_NUMBERS)])})
    for i, number in enumerate(ACCEPTED_NUMBERS):
        stored = seeder.item("events", PK=f"EVENT#{i}", SK="DATE#1")["n"]["N"]
        assert Decimal(stored) == Decimal(number), (number, stored)
    yaml_numbers = ["1" + "0" * 125, "9.9999999999999999999999999999999999999e+125", "1.0e-130", "-1.0e-130"]
    seeder.accepts(
        {"events.yaml": "".join(f"- {{PK: 'EVENT#y{i}', SK: 'DATE#1', n: {n}}}\n" for i, n in enumerate(yaml_numbers))}
    )
    for i, number in enumerate(yaml_numbers):
        assert Decimal(seeder.item("events", PK=f"EVENT#y{i}", SK="DATE#1")["n"]["N"]) == Decimal(number)
    # as an index key: leaderboard's score (N) is the sort key of score-index
    seeder.accepts({"leaderboard.json": _leaderboard(BIGGEST)})

    for number, words in REFUSED_NUMBERS:
        seeder.refuses(
            {"events.json": _number_file([("bad", number)])},
            "auxeira/events.json",
            "item [0] (PK='EVENT#bad' SK='DATE#1')",
            "field 'n'",
            words,
        )
    seeder.refuses(
        {"events.yaml": "- {PK: 'EVENT#bad', SK: 'DATE#1', n: 1" + "0" * 130 + "}\n"},
        "auxeira/events.yaml",
        "item [0] (PK='EVENT#bad' SK='DATE#1')",
        "field 'n'",
        "too large",
    )
    # inside maps and lists, the field is the path to the number
    seeder.refuses(
        {"events.json": '[{"PK": "EVENT#bad", "SK": "DATE#1", "stats": {"scores": [1, 1' + "0" * 126 + "]}}]"},
        "field 'stats.scores[1]'",
        "too large",
    )
    seeder.refuses(
        {"leaderboard.json": _leaderboard("1E+126")}, "auxeira/leaderboard.json", "field 'score'", "too large"
    )


def _leaderboard(score: str) -> str:
    return f'[{{"leaderboard_id": "SDG#99", "entity_id": "e1", "score": {score}}}]'


def test_generator_floats_are_checked_like_every_number(seeder: Seeder) -> None:
    """Generators hand Python floats to the loader: the same limits, before any write."""
    seeder.tables("events")
    data = seeder.write({"events.json": [{"PK": "EVENT#f", "SK": "DATE#1"}]})
    catalog = load_catalog(ROOT / "catalog")
    loader = Loader(
        make_client(seeder.ns.endpoint),
        options=LoadOptions(stage=STAGE, workers=2),
        table_name=lambda s, t: table_name(s, t, STAGE),
    )

    def with_items(*items: dict[str, Any]) -> list[Any]:
        sources = discover(data, catalog)
        events = next(s for s in sources if s.table == "events")
        return [s if s is not events else dataclasses.replace(s, items=lambda: _indexed(items)) for s in sources]

    loader.run(with_items({"PK": "EVENT#f", "SK": "DATE#1", "ratio": 0.1, "big": 9.9e125, "tiny": -1e-130}))
    stored = seeder.item("events", PK="EVENT#f", SK="DATE#1")
    assert stored["ratio"] == {"N": "0.1"}
    assert (Decimal(stored["big"]["N"]), Decimal(stored["tiny"]["N"])) == (Decimal("9.9E+125"), Decimal("-1E-130"))
    for value, words in [
        (1e126, "too large"),
        (-1e130, "too large"),
        (1e-131, "too small"),
        (float("nan"), "not a number"),
    ]:
        before = snapshot(seeder.ns.client)
        with pytest.raises(SeedValidationError) as error:
            loader.run(with_items({"PK": "EVENT#g", "SK": "DATE#1", "x": {"y": [value]}}))
        assert "field 'x.y[0]'" in str(error.value) and words in str(error.value), str(error.value)
        assert snapshot(seeder.ns.client) == before


def _indexed(items: tuple[dict[str, Any], ...]) -> Iterator[tuple[int, Any]]:
    return iter(enumerate(items))


# --- nesting -------------------------------------------------------------------------


def nested(levels: int, kind: str, leaf: Any = "leaf") -> Any:
    """``levels`` maps or lists inside one another around ``leaf``."""
    value = leaf
    for _ in range(levels):
        value = {"a": value} if kind == "map" else [value]
    return value


def test_nesting_depth_31_passes_32_is_refused(seeder: Seeder) -> None:
    """DynamoDB Local 3.3.1: 31 maps or lists inside one another are stored, a 32nd is
    refused ("Nesting Levels have exceeded supported limits"), whatever the 32nd holds:
    a string, an empty map, nothing. The guide: "nested attributes up to 32 levels deep"
    (the top-level attribute being the first level)."""
    seeder.tables("events")
    for kind in ("map", "list"):
        for leaf in ("leaf", {}, []):
            around = 30 if leaf == {} or leaf == [] else 31  # an empty map or list is a level itself
            seeder.accepts(
                {"events.json": [{"PK": f"EVENT#{kind}", "SK": "DATE#1", "deep": nested(around, kind, leaf)}]}
            )
            assert seeder.item("events", PK=f"EVENT#{kind}", SK="DATE#1")
            err = seeder.refuses(
                {"events.json": [{"PK": "EVENT#deep", "SK": "DATE#1", "deep": nested(around + 1, kind, leaf)}]},
                "auxeira/events.json",
                "item [0] (PK='EVENT#deep' SK='DATE#1')",
                "nested more than 31 deep",
            )
            assert ("field 'deep.a" if kind == "map" else "field 'deep[0]") in err
    # maps and lists mixed, and in YAML
    mixed = {"PK": "EVENT#mixed", "SK": "DATE#1", "deep": nested(15, "map", nested(16, "list"))}
    seeder.accepts({"events.json": [mixed]})
    seeder.refuses(
        {"events.yaml": "- {PK: 'EVENT#deep', SK: 'DATE#1', deep: " + "{a: [" * 16 + "x" + "]}" * 16 + "}\n"},
        "auxeira/events.yaml",
        "nested more than 31 deep",
    )
    # far deeper than a parser can follow: refused by name, no crash
    seeder.refuses(
        {"events.json": '[{"PK": "EVENT#d", "SK": "DATE#1", "deep": ' + "[" * 5000 + "]" * 5000 + "}]"},
        "auxeira/events.json",
        "nested too deeply",
    )
    seeder.refuses(
        {"events.yaml": "- {PK: 'EVENT#d', SK: 'DATE#1', deep: " + "[" * 5000 + "]" * 5000 + "}\n"},
        "auxeira/events.yaml",
        "nested too deeply",
    )


# --- attribute names -----------------------------------------------------------------


def test_attribute_names_are_checked_at_every_depth(seeder: Seeder) -> None:
    seeder.tables("events")
    key = {"PK": "EVENT#n", "SK": "DATE#1"}
    # empty names: DynamoDB Local refuses them at any depth ("Empty attribute name")
    for item, field in [
        ({**key, "meta": {"": 1}}, "field 'meta['']'"),
        ({**key, "meta": {"list": [{"ok": 1}, {"": 2}]}}, "field 'meta.list[1]['']'"),
        ({**key, "": 1}, "field '['']'"),
    ]:
        seeder.refuses(
            {"events.json": [item]}, "auxeira/events.json", "item [0] (PK='EVENT#n' SK='DATE#1')", field, "empty"
        )
    seeder.accepts({"events.json": [{**key, "meta": {"a": {"b": 1}}}]})

    # 64 KB: the API's 65535 bytes, counted in UTF-8. (DynamoDB Local's JSON parser stops at
    # 50,000 characters, below AWS's limit, so the accepted side is checked with --dry-run.)
    for name in ("n" * 65535, "é" * 32767 + "n"):
        seeder.accepts({"events.json": [{**key, "meta": {name: 1}}, {**key, "SK": "DATE#2", name: 1}]}, "--dry-run")
    for name in ("n" * 65536, "é" * 32768):
        seeder.refuses(
            {"events.json": [{**key, "meta": {name: 1}}]}, "field 'meta[", "65536 bytes; DynamoDB allows at most 65535"
        )
        seeder.refuses({"events.json": [{**key, name: 1}]}, "65536 bytes; DynamoDB allows at most 65535")
    seeder.accepts({"events.json": [{**key, "n" * 50000: 1}]})  # long names do load
    assert "n" * 50000 in seeder.item("events", PK="EVENT#n", SK="DATE#1")


# --- sets ----------------------------------------------------------------------------


def test_sets_are_stored_non_empty_and_without_duplicates(seeder: Seeder) -> None:
    seeder.tables("events")
    seeder.accepts(
        {
            "events.yaml": "- PK: 'EVENT#sets'\n  SK: 'DATE#1'\n"
            "  tags: !!set {a, b, ''}\n  scores: !!set {1, 2.5, -1.0e-130}\n  blobs: !!set {!!binary aGk=, !!binary aG8=}\n"
        }
    )
    item = seeder.item("events", PK="EVENT#sets", SK="DATE#1")
    assert sorted(item["tags"]["SS"]) == ["", "a", "b"]  # empty strings are allowed in a set
    assert sorted(Decimal(n) for n in item["scores"]["NS"]) == [Decimal("-1E-130"), 1, Decimal("2.5")]
    assert sorted(item["blobs"]["BS"]) == [b"hi", b"ho"]
    for text, words in [
        ("tags: !!set {}", ["field 'tags'", "a set is empty"]),  # "An string set may not be empty"
        ("tags: !!set {a, b, a}", ["field 'tags.a'", "duplicate set member 'a' at line 1"]),  # "contains duplicates"
        ("scores: !!set {1, 1.0}", ["field 'scores", "duplicate set member"]),  # 1 and 1.0: one number to DynamoDB
        ("mixed: !!set {a, 1}", ["field 'mixed'", "only strings, only numbers"]),
        ("scores: !!set {1, 1.0e+126}", ["field 'scores'", "too large"]),
        ("tags: !!set {a: 1}", ["field 'tags.a'", "lists members only"]),
    ]:
        seeder.refuses(
            {"events.yaml": f"- {{PK: 'EVENT#bad', SK: 'DATE#1', {text}}}\n"},
            "auxeira/events.yaml",
            "item [0] (PK='EVENT#bad' SK='DATE#1')",
            *words,
        )


# --- item size -----------------------------------------------------------------------


def _sized(total: int, **extra: Any) -> dict[str, Any]:
    """An events item of ``total`` bytes by DynamoDB's rules (loader marker included), the
    rest of it a string: ``extra`` holds attributes of known size, given as (value, size)."""
    item: dict[str, Any] = {"PK": "EVENT#size", "SK": "DATE#1"}
    used = len("PK") + len("EVENT#size") + len("SK") + len("DATE#1") + MARKER + len("blob")
    for name, (value, size) in extra.items():
        item[name] = value
        used += len(name) + size
    item["blob"] = "x" * (total - used)
    return item


# Sizes DynamoDB Local 3.3.1 counts (measured: the longest string it still took beside each):
# a number is its base-100 digit pairs plus one byte, one more when negative (-1.5 is 01|50,
# 4 bytes; the guide's "1 byte per two significant digits, plus 1" says 2), and 0 is 1 byte;
# a map or list is 3 bytes plus 1 per element; a set is the sum of its members.
SIZED = [
    {},
    {"n": (-1.5, 4)},
    {"z": (0, 1)},
    {"big": (-(10**37) - 1, 21)},  # 38 digits, negative: 19 pairs + 1 + 1
    {"m": ({"a": "b", "c": [1, True, None]}, 3 + (1 + 1 + 1) + (1 + (3 + 2 + 1 + 1 + 1 + 1 + 1) + 1))},
]


def test_item_size_is_400_kb_by_dynamodb_rules(seeder: Seeder) -> None:
    seeder.tables("events")
    for extra in SIZED:
        seeder.accepts({"events.json": [_sized(LIMIT, **extra)]})
        assert seeder.item("events", PK="EVENT#size", SK="DATE#1"), extra
        seeder.refuses(
            {"events.json": [_sized(LIMIT + 1, **extra)]},
            "auxeira/events.json",
            "item [0] (PK='EVENT#size' SK='DATE#1')",
            f"item is {LIMIT + 1} bytes; DynamoDB allows at most {LIMIT}",
        )
    seeder.accepts(
        {
            "events.yaml": "- {PK: 'EVENT#set', SK: 'DATE#1', tags: !!set {a, bb}, blob: "
            + "x" * (LIMIT - 2 - 9 - 2 - 6 - MARKER - 4 - 3 - 4)
            + "}\n"
        }
    )
    seeder.refuses(
        {
            "events.yaml": "- {PK: 'EVENT#set', SK: 'DATE#1', tags: !!set {a, bb}, blob: "
            + "x" * (LIMIT - 2 - 9 - 2 - 6 - MARKER - 4 - 3 - 4 + 1)
            + "}\n"
        },
        f"item is {LIMIT + 1} bytes",
    )
