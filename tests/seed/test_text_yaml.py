"""Data files mean what they say. YAML 1.1 (PyYAML's default) rewrites plain scalars:
``zip: 01234`` is the number 668, ``duration: 1:30`` is 90, ``country: NO`` is false.
Data files are read by YAML 1.2's core schema, and a plain scalar that YAML 1.1 reads
otherwise is refused with both readings, so that quoting it says what was meant: every
value the loader accepts is the value any YAML reader (``yaml.safe_load`` too) sees.

Expected readings are the YAML specs' (1.2.2, 10.3.2 "Tag Resolution"; 1.1's types
repository, as PyYAML implements it), and what DynamoDB Local stores."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from seed.datafiles import _read_yaml
from tests.seed.test_limits_support import Seeder

KEY = "item [0] (PK='EVENT#t' SK='DATE#1')"

# (plain scalar, what YAML 1.1 reads, what YAML 1.2 reads): each refused, naming both
AMBIGUOUS = [
    ("01234", "the octal number 668", "1234"),
    ("0777", "the octal number 511", "777"),
    ("089", "the text '089'", "the number 89"),
    ("1:30", "a base-60 number in YAML 1.1 (90)", "text in YAML 1.2"),
    ("1:30:00", "a base-60 number in YAML 1.1 (5400)", "text in YAML 1.2"),
    ("NO", "false", "the text 'NO'"),
    ("No", "false", "the text 'No'"),
    ("no", "false", "the text 'no'"),
    ("yes", "true", "the text 'yes'"),
    ("Yes", "true", "the text 'Yes'"),
    ("on", "true", "the text 'on'"),
    ("OFF", "false", "the text 'OFF'"),
    ("1_000", "the number 1000", "the text '1_000'"),
    ("0b101", "the number 5", "the text '0b101'"),
    ("0o17", "the text '0o17'", "the number 15"),
    ("1e5", "the text '1e5'", "the number 1E+5"),
    ("-0x1F", "the number -31", "the text '-0x1F'"),
    ("-.5", "the text '-.5'", "the number -0.5"),
]


# (YAML, what DynamoDB Local stores): the same under YAML 1.1 and 1.2, so accepted
MEANT = [
    ("'01234'", {"S": "01234"}),
    ('"1:30"', {"S": "1:30"}),
    ("'NO'", {"S": "NO"}),
    ("!!str 0777", {"S": "0777"}),
    ("y", {"S": "y"}),  # PyYAML's 1.1 has no y/n booleans
    ("true", {"BOOL": True}),
    ("True", {"BOOL": True}),
    ("FALSE", {"BOOL": False}),
    ("~", {"NULL": True}),
    ("null", {"NULL": True}),
    ("NULL", {"NULL": True}),
    ("", {"NULL": True}),
    ("0", {"N": "0"}),
    ("-12", {"N": "-12"}),
    ("+7", {"N": "7"}),
    ("0x1F", {"N": "31"}),
    ("1.5", {"N": "1.5"}),
    (".5", {"N": "0.5"}),
    ("-0.5", {"N": "-0.5"}),
    ("1.0e+5", {"N": "100000"}),
    ("2026-01-01", {"S": "2026-01-01"}),  # dates stay the text written
    ("2026-01-01T10:00:00Z", {"S": "2026-01-01T10:00:00Z"}),
    ("1.2.3", {"S": "1.2.3"}),
]


@pytest.fixture
def seeder(ns: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Seeder:
    seeder = Seeder(ns, tmp_path, capsys)
    seeder.tables("events")
    return seeder


def _item(text: str) -> str:
    return f"- PK: 'EVENT#t'\n  SK: 'DATE#1'\n  value: {text}\n"


def test_scalars_mean_what_they_say_or_are_refused(seeder: Seeder) -> None:
    # what YAML 1.1 and 1.2 agree on is stored as written
    items = "".join(f"- {{PK: 'EVENT#{i}', SK: 'DATE#1', value: {text}}}\n" for i, (text, _) in enumerate(MEANT))
    seeder.accepts({"events.yaml": items})
    for i, (text, stored) in enumerate(MEANT):
        value = seeder.item("events", PK=f"EVENT#{i}", SK="DATE#1")["value"]
        if "N" in stored:
            assert Decimal(value["N"]) == Decimal(stored["N"]), text
        else:
            assert value == stored, text
    # and yaml.safe_load (YAML 1.1) reads the same values from the same file
    for (text, stored), item in zip(MEANT, yaml.safe_load(items), strict=True):
        value = item["value"]
        expected = next(iter(stored.values()))
        if "N" in stored:
            assert Decimal(str(value)) == Decimal(expected), text
        elif "S" in stored:
            # a date: safe_load makes a datetime of it, the loader keeps the text (DynamoDB has no dates)
            assert str(value) == expected or text.startswith("2026-"), text
        elif "BOOL" in stored:
            assert value is expected, text
        else:
            assert value is None, text

    # what they read differently is refused, with both readings
    for text, old, new in AMBIGUOUS:
        err = seeder.refuses(
            {"events.yaml": _item(text)}, "auxeira/events.yaml", KEY, "field 'value'", f"'{text}'", old, new, "line 3"
        )
        assert f"quote it ('{text}')" in err, err
    # the issue's three, as fields of a nested map and as keys
    seeder.refuses(
        {"events.yaml": "- {PK: 'EVENT#t', SK: 'DATE#1', address: {zip: 01234, country: NO}}\n"},
        KEY,
        "field 'address.zip'",
        "'01234' is ambiguous",
    )
    seeder.refuses({"events.yaml": "- {PK: 'EVENT#t', SK: 'DATE#1', flags: {yes: 1}}\n"}, "field 'flags.yes'", "'yes'")
    seeder.refuses({"events.yaml": "- {PK: 'EVENT#t', SK: 'DATE#1', d: [1:30]}\n"}, "field 'd[0]'", "base-60")
    # explicit tags follow YAML 1.2 too
    seeder.refuses({"events.yaml": _item("!!bool yes")}, "field 'value'", "not a boolean in YAML 1.2")
    seeder.refuses({"events.yaml": _item("!!int 0b101")}, "field 'value'", "not an integer in YAML 1.2")


def test_the_core_schema_loader_alone_reads_yaml_1_2(tmp_path: Path) -> None:
    """``CoreSchemaLoader`` (without refusals) is YAML 1.2's core schema, selectable per caller."""
    from tableforge.catalog.yamlload import CoreSchemaLoader, UniqueKeyLoader

    text = "[NO, yes, 1:30, 01234, 0o17, 0x1F, 1e5, .inf, ~, '', TRUE, 2026-01-01, 1_000, 0b1]"
    assert yaml.load(text, Loader=CoreSchemaLoader) == [
        "NO",
        "yes",
        "1:30",
        1234,
        15,
        31,
        100000.0,
        float("inf"),
        None,
        "",
        True,
        "2026-01-01",
        "1_000",
        "0b1",
    ]
    # while the catalogs' loader stays YAML 1.1, as before
    assert yaml.load("[NO, 1:30, 01234]", Loader=UniqueKeyLoader) == [False, 90, 668]
    # the data-file reader names item and field for what it refuses
    path = tmp_path / "t.yaml"
    path.write_text("- {PK: a}\n- PK: b\n  nested: {list: [1, 1:30]}\n")
    with pytest.raises(
        Exception, match=r"t.yaml: item \[1\] \(PK='b'\): field 'nested.list\[1\]': '1:30' is a base-60"
    ):
        list(_read_yaml(path, "t.yaml", ("PK",)))
