"""Text is either valid or refused: bytes that are not UTF-8, UTF-16 and UTF-32 files, lone
surrogates and attribute names that are not strings each give one ``error:`` naming the
file, the item (its key) and the field, and nothing is written to any table. A byte-order
mark on a UTF-8 file is skipped: the file loads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from seed.datafiles import SeedError, _read_json, _read_yaml
from tests.seed.test_limits_support import Seeder

KEY = "item [0] (PK='EVENT#t' SK='DATE#1')"


@pytest.fixture
def seeder(ns: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Seeder:
    seeder = Seeder(ns, tmp_path, capsys)
    seeder.tables("events")
    return seeder


@pytest.fixture
def partners(seeder: Seeder) -> Seeder:
    seeder.ns.create("auxeira-partners-dev")
    return seeder


def test_bytes_that_are_not_utf8_are_named(seeder: Seeder) -> None:
    latin1 = "café".encode("latin-1")  # b'caf\xe9': not UTF-8
    # in a value: the item and field, and the line and column of the byte
    for file, content, field in [
        ("events.yaml", b"- {PK: 'EVENT#t', SK: 'DATE#1', name: " + latin1 + b"}\n", "name"),
        ("events.yaml", b"- PK: 'EVENT#t'\n  SK: 'DATE#1'\n  meta: {city: '" + latin1 + b"'}\n", "meta.city"),
        ("events.json", b'[{"PK": "EVENT#t", "SK": "DATE#1", "name": "' + latin1 + b'"}]', "name"),
        ("events.json", b'[{"PK": "EVENT#t", "SK": "DATE#1", "tags": ["ok", "' + latin1 + b'"]}]', "tags[1]"),
    ]:
        err = seeder.refuses({file: content}, f"auxeira/{file}", KEY, f"field '{field}'", "byte 0xE9")
        assert "not UTF-8" in err and "line " in err and "column " in err, err
    # in an attribute name
    seeder.refuses(
        {"events.yaml": b"- {PK: 'EVENT#t', SK: 'DATE#1', " + latin1 + b": 1}\n"},
        "auxeira/events.yaml",
        KEY,
        "attribute name is not UTF-8 text",
        "byte 0xE9",
    )
    # outside any value (a comment, the JSON between items): the file, line and column
    seeder.refuses(
        {"events.yaml": b"# " + latin1 + b"\n- {PK: 'EVENT#t', SK: 'DATE#1'}\n"},
        "auxeira/events.yaml: not UTF-8: byte 0xE9 at line 1, column 6",
    )
    seeder.refuses(
        {"events.json": b'[{"PK": "EVENT#t", "SK": "DATE#1"} ' + b"\xff" + b"]"},
        "auxeira/events.json",
        "byte 0xFF at line 1, column 36",
    )
    # a byte sequence that is no character: an encoded surrogate, an overlong form
    for bad in (b"\xed\xa0\x80", b"\xc0\xaf"):
        seeder.refuses(
            {"events.json": b'[{"PK": "EVENT#t", "SK": "DATE#1", "name": "' + bad + b'"}]'},
            KEY,
            "field 'name'",
            "not UTF-8",
        )


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"), ("utf-32", "UTF-32")],
)
@pytest.mark.parametrize("file", ["events.yaml", "events.json"])
def test_utf16_and_utf32_files_are_refused_by_name(seeder: Seeder, encoding: str, name: str, file: str) -> None:
    text = "- {PK: 'EVENT#t', SK: 'DATE#1'}\n" if file.endswith(".yaml") else '[{"PK": "EVENT#t", "SK": "DATE#1"}]'
    seeder.refuses({file: text.encode(encoding)}, f"auxeira/{file}: the file is {name}, not UTF-8", "iconv")


def test_a_utf8_byte_order_mark_is_skipped(partners: Seeder) -> None:
    seeder = partners
    bom = b"\xef\xbb\xbf"
    seeder.accepts(
        {
            "events.json": bom + json.dumps([{"PK": "EVENT#json", "SK": "DATE#1", "name": "café"}]).encode(),
            "partners.yaml": bom + "- {PK: 'PARTNER#yaml', SK: 'OFFERING#1', name: café}\n".encode(),
        }
    )
    assert seeder.item("events", PK="EVENT#json", SK="DATE#1")["name"] == {"S": "café"}


def test_lone_surrogates_are_refused(partners: Seeder) -> None:
    seeder = partners
    for file, content, field in [
        ("events.json", r'[{"PK": "EVENT#t", "SK": "DATE#1", "name": "a\ud800b"}]', "name"),
        ("events.json", r'[{"PK": "EVENT#t", "SK": "DATE#1", "meta": {"list": ["\udc00"]}}]', "meta.list[0]"),
        ("events.json", r'[{"PK": "EVENT#t", "SK": "DATE#1", "sur\ud83dgate": 1}]', "['sur"),
        ("events.yaml", "- {PK: 'EVENT#t', SK: 'DATE#1', name: \"a\\ud800b\"}\n", "name"),
        ("events.yaml", "- {PK: 'EVENT#t', SK: 'DATE#1', meta: {\"\\udfff\": 1}}\n", "meta["),
        ("events.yaml", "- {PK: 'EVENT#t', SK: 'DATE#1', name: \"\\ude00\\ud83d\"}\n", "name"),  # a pair reversed
    ]:
        seeder.refuses({file: content}, f"auxeira/{file}", KEY, f"field '{field}", "lone surrogate")
    # in a key attribute: still named, nothing written
    seeder.refuses(
        {"events.json": r'[{"PK": "EVENT#\ud800", "SK": "DATE#1"}]'},
        "auxeira/events.json",
        "field 'PK'",
        "lone surrogate",
    )
    # a surrogate pair is the character it encodes, in JSON and YAML escapes alike
    seeder.accepts(
        {
            "events.json": r'[{"PK": "EVENT#json", "SK": "DATE#1", "name": "\ud83d\ude00"}]',
            "partners.yaml": "- {PK: 'PARTNER#yaml', SK: 'OFFERING#1', name: \"\\ud83d\\ude00\", also: \"\\U0001F600\"}\n",
        }
    )
    assert seeder.item("events", PK="EVENT#json", SK="DATE#1")["name"] == {"S": "😀"}
    stored = seeder.item("partners", PK="PARTNER#yaml", SK="OFFERING#1")
    assert stored["name"] == stored["also"] == {"S": "😀"}


def test_attribute_names_that_are_not_strings_are_named(seeder: Seeder) -> None:
    for text, field, words in [
        ("sales: {2023: 10}", "sales.2023", "the number 2023, not a string"),
        ("flags: {null: 1}", "flags.null", "attribute name is null"),
        ("flags: {~: 1}", "flags.null", "attribute name is null"),
        ("flags: {true: 1}", "flags.true", "the boolean true"),
        ("ratios: {1.5: x}", "ratios.1.5", "the number 1.5"),
        ("deep: {a: [{b: {7: x}}]}", "deep.a[0].b.7", "the number 7"),
        ("2023: 10", "2023", "the number 2023"),
        ("null: 1", "null", "attribute name is null"),
        ("bin: {!!binary aGk=: 1}", "bin.", "a bytes value"),
    ]:
        seeder.refuses(
            {"events.yaml": f"- {{PK: 'EVENT#t', SK: 'DATE#1', {text}}}\n"},
            "auxeira/events.yaml",
            KEY,
            f"field '{field}",
            words,
        )
    seeder.accepts({"events.yaml": "- {PK: 'EVENT#t', SK: 'DATE#1', sales: {'2023': 10}}\n"})
    assert seeder.item("events", PK="EVENT#t", SK="DATE#1")["sales"] == {"M": {"2023": {"N": "10"}}}


def test_control_characters_in_yaml_are_named_with_their_line(seeder: Seeder) -> None:
    seeder.refuses(
        {"events.yaml": b"- {PK: 'EVENT#t', SK: 'DATE#1'}\n- {PK: 'EVENT#u', SK: 'DATE#1', name: a\x00b}\n"},
        "auxeira/events.yaml: invalid YAML at line 2, column 40: character U+0000 is not allowed",
    )
    seeder.accepts({"events.yaml": "- {PK: 'EVENT#t', SK: 'DATE#1', name: \"a\\x00b\"}\n"})  # as an escape it is text
    assert seeder.item("events", PK="EVENT#t", SK="DATE#1")["name"] == {"S": "a\x00b"}


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 20])
def test_utf8_is_decoded_across_read_chunks(tmp_path: Path, chunk: int) -> None:
    """Multi-byte characters cut by the reader's chunks still decode; a bad byte is still
    found at its line and column."""
    items = [{"PK": f"EVENT#{i}", "SK": "DATE#1", "name": "né 😀 ü" * (i + 1)} for i in range(20)]
    path = tmp_path / "x.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(items, ensure_ascii=False, indent=1).encode())
    assert [item for _, item in _read_json(path, "x.json", chunk_size=chunk)] == items
    path.write_bytes(json.dumps(items, ensure_ascii=False, indent=1).encode() + b"\n\xe9")
    with pytest.raises(SeedError, match=r"x.json: not UTF-8: byte 0xE9 at line \d+, column 1"):
        list(_read_json(path, "x.json", chunk_size=chunk))
    yaml_path = tmp_path / "x.yaml"
    yaml_path.write_bytes(
        ("".join(f"- {{PK: 'EVENT#{i}', name: né 😀}}\n" for i in range(3000)) + "# \udce9").encode(
            "utf-8", "surrogateescape"
        )
    )
    with pytest.raises(SeedError, match=r"x.yaml: not UTF-8: byte 0xE9 at line 3001, column 3"):
        list(_read_yaml(yaml_path, "x.yaml"))
