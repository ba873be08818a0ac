"""Seed data files: discovery, parsing and validation, before anything is written.

Layout: ``<data>/<system>/<table>.yaml|.yml|.json``; each file is a list of items.
YAML (hand-written reference data) and JSON (generated data) are both streamed item
by item, so a large file never sits in memory.

Both are UTF-8 text (a byte-order mark is skipped). YAML is read by YAML 1.2's core
schema, and a plain scalar YAML 1.1 reads otherwise (``01234``, ``1:30``, ``NO``) is
refused rather than guessed. Numbers are parsed straight from their text into
``Decimal`` (never through a float), so ``0.1`` is stored as exactly 0.1.

Validation checks every limit DynamoDB enforces on an item (``validate_item``), so a
load that passes it is not refused by DynamoDB halfway through.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from tableforge.catalog import Catalog, TableSpec
from tableforge.catalog.yamlload import (
    CoreSchemaLoader,
    Index,
    YamlValueError,
    core_float_text,
    field_path,
    iter_yaml_list,
    open_text,
    yaml_text,
)
from tableforge.errors import TableforgeError, display_path

# DynamoDB's limits on an item, from the developer guide ("Service, account, and table
# quotas": partition and sort keys, naming rules, data types, items, attributes; "DynamoDB
# item sizes and formats"), each checked at its exact boundary against DynamoDB Local 3.3.1.
#: Maximum item size, 400 KB, names and values included.
MAX_ITEM_BYTES = 400 * 1024
#: Key value limits, for the table's keys and every index's: partition 2048 bytes, sort 1024.
MAX_PARTITION_KEY_BYTES = 2048
MAX_SORT_KEY_BYTES = 1024
#: Numbers: up to 38 significant digits; magnitude 1E-130 to 9.9999999999999999999999999999999999999E+125.
MAX_NUMBER_DIGITS = 38
MIN_NUMBER_EXPONENT = -130  # 1E-130
MAX_NUMBER_EXPONENT = 125  # 9.99...E+125
#: Maps and lists inside one another: DynamoDB's "nested attributes up to 32 levels deep"
#: means 31 containers (a top-level map is one); a 32nd is refused ("Nesting Levels have
#: exceeded supported limits"), whatever is or is not inside it.
MAX_NESTING = 31
#: Attribute names: at least 1 character, at most 64 KB (the API's 65535 bytes), at every depth.
MAX_ATTRIBUTE_NAME_BYTES = 65535
#: The loader marks every item it writes with this attribute, so --prune can tell
#: its own items from everyone else's. Data files may not set it.
MARKER_ATTRIBUTE = "seeded_by"
MARKER_VALUE = "tableforge.seed"
#: Stop collecting after this many errors: enough to fix a file in one go.
MAX_REPORTED_ERRORS = 20

DATA_SUFFIXES = (".yaml", ".yml", ".json")


class SeedError(TableforgeError):
    """Bad seed input, or a load that could not finish."""


class SeedValidationError(SeedError):
    """One or more invalid items; nothing was written."""

    def __init__(self, errors: list[TableforgeError], more: int = 0) -> None:
        self.errors = errors
        lines = [str(e) for e in errors]
        if more:
            lines.append(f"... and {more} more")
        super().__init__(f"{len(errors) + more} invalid item(s); nothing was written\n  " + "\n  ".join(lines))


# --- where the data is -------------------------------------------------------------


@dataclass
class Source:
    """The items for one table: a data file or a generator."""

    system: str
    table: str
    spec: TableSpec
    display: str
    #: Returns a fresh iterator of (index, raw item) each call: validation reads
    #: the source once, the write pass reads it again (so memory stays bounded).
    items: Callable[[], Iterator[tuple[int, Any]]]
    #: Why this source is not loaded (a table disabled by a feature flag).
    skip_reason: str | None = None
    #: Attributes added to every written item (the prune marker).
    extra: dict[str, Any] = field(default_factory=dict)
    #: A table with no data file, visited only by --prune: everything the loader
    #: wrote there earlier is no longer in the data.
    prune_only: bool = False


def _no_items() -> Iterator[tuple[int, Any]]:
    return iter(())


def prune_only_sources(
    catalog: Catalog, sources: list[Source], *, system: str | None, table: str | None
) -> list[Source]:
    """The enabled tables (of the selected system/table) that have no data file."""
    have = {(s.system, s.table) for s in sources}
    out = []
    for name in catalog.systems if system is None else [system]:
        for table_name, spec in catalog.tables(name).items():
            if (table is None or table_name == table) and (name, table_name) not in have:
                out.append(
                    Source(
                        system=name,
                        table=table_name,
                        spec=spec,
                        display=f"(no data file for {name}/{table_name})",
                        items=_no_items,
                        prune_only=True,
                    )
                )
    return out


def discover(
    data_dir: Path,
    catalog: Catalog,
    *,
    system: str | None = None,
    table: str | None = None,
) -> list[Source]:
    """Every data file under ``data_dir`` (optionally one system/table), checked
    against the catalog: a file for a table the catalog does not have is an error."""
    if not data_dir.is_dir():
        raise SeedError("data directory not found", file=display_path(data_dir))
    if system is not None and system not in catalog.systems:
        raise SeedError(f"unknown system '{system}'; known: {', '.join(catalog.systems)}", field="--system")
    if table is not None and system is None:
        owners = [name for name, cat in catalog.systems.items() if table in cat.tables]
        if len(owners) != 1:
            raise SeedError(
                f"table '{table}' is in {', '.join(owners) if owners else 'no system'}; name the system with --system",
                field="--table",
            )
        system = owners[0]
    if table is not None and system is not None and table not in catalog.systems[system].tables:
        raise SeedError(
            f"no table '{table}' in {display_path(catalog.paths[system])}",
            field="--table",
        )
    sources: list[Source] = []
    for system_dir in sorted(p for p in data_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        name = system_dir.name
        if name not in catalog.systems:
            raise SeedError(
                f"data for system '{name}', which the catalog does not have; known: {', '.join(catalog.systems)}",
                file=display_path(system_dir),
            )
        if system is not None and name != system:
            continue
        sources.extend(_discover_system(system_dir, name, catalog, table))
    return sources


def _discover_system(system_dir: Path, system: str, catalog: Catalog, only: str | None) -> list[Source]:
    declared = catalog.systems[system].tables
    enabled = catalog.tables(system)
    seen: dict[str, Path] = {}
    sources = []
    for path in sorted(system_dir.iterdir()):
        if path.name.startswith(".") or path.suffix not in DATA_SUFFIXES:
            continue
        display = display_path(path)
        name = path.stem
        if name not in declared:
            raise SeedError(
                f"data file for table '{name}', which {display_path(catalog.paths[system])} does not declare; "
                f"known tables: {', '.join(declared)}",
                file=display,
            )
        if name in seen:
            raise SeedError(f"two data files for table '{name}' (also {display_path(seen[name])})", file=display)
        seen[name] = path
        if only is not None and name != only:
            continue
        spec = declared[name]
        skip = None
        if name not in enabled:
            skip = f"table disabled: feature flag {spec.enabled_by} is off"
        if path.suffix == ".json":
            items = functools.partial(_read_json, path, display)
        else:
            items = functools.partial(_read_yaml, path, display, tuple(k.name for k in spec.key_attributes()))
        sources.append(
            Source(
                system=system,
                table=name,
                spec=spec,
                display=display,
                items=items,
                skip_reason=skip,
                extra={MARKER_ATTRIBUTE: MARKER_VALUE},
            )
        )
    return sources


# --- parsing -----------------------------------------------------------------------


class _SeedYamlLoader(CoreSchemaLoader):
    """The shared loader with YAML 1.2's core schema, refusing what YAML 1.1 reads
    otherwise (``NO``, ``1:30``, ``01234``: see tableforge/catalog/yamlload.py), plus:
    floats as exact Decimals, and timestamps kept as the strings written (DynamoDB has
    no date type; so a date is the same text in 1.1 and 1.2, not ambiguous)."""

    refuse_ambiguous = True
    same_as_text = frozenset({"tag:yaml.org,2002:timestamp"})


def _construct_decimal(loader: _SeedYamlLoader, node: yaml.ScalarNode) -> Decimal:
    text = loader.construct_scalar(node)
    try:
        number = Decimal(core_float_text(text))
    except InvalidOperation:
        raise YamlValueError(f"'{node.value}' is not a number", node) from None
    if not number.is_finite():
        raise YamlValueError(f"'{node.value}' is not a number DynamoDB can store", node)
    return number


def _construct_timestamp_text(loader: _SeedYamlLoader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


_SeedYamlLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_SeedYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_text)


def _node_label(keys: tuple[str, ...]) -> Callable[[yaml.Node], str]:
    """An item's key attributes as written, for errors found while parsing it."""

    def label(node: yaml.Node) -> str:
        found: dict[str, str] = {}
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                named = isinstance(key_node, yaml.ScalarNode) and key_node.value in keys
                if named and isinstance(value_node, yaml.ScalarNode):
                    quoted = value_node.tag == "tag:yaml.org,2002:str"
                    found[key_node.value] = repr(value_node.value) if quoted else value_node.value
        return " ".join(f"{k}={found[k]}" for k in keys if k in found)

    return label


def _read_yaml(path: Path, display: str, keys: tuple[str, ...] = ()) -> Iterator[tuple[int, Any]]:
    """Stream a YAML list item by item (memory holds one item); ``keys`` label the items
    in errors found while parsing."""
    return iter_yaml_list(
        path,
        display,
        error=SeedError,
        loader=_SeedYamlLoader,
        key_name="attribute",
        what="a data file",
        label=_node_label(keys),
    )


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"duplicate attribute '{key}'")
        obj[key] = value
    return obj


def _read_json(path: Path, display: str, chunk_size: int = 1 << 20) -> Iterator[tuple[int, Any]]:
    """Stream a JSON array item by item: memory holds one chunk plus one item."""
    decoder = json.JSONDecoder(parse_float=Decimal, object_pairs_hook=_json_object)
    handle = open_text(path, display, SeedError)  # UTF-8; a byte-order mark is skipped
    with contextlib.closing(handle):
        buf, pos, eof, index = "", 0, False, 0
        consumed = 0  # characters dropped from the front of buf
        state = "start"  # start -> item -> sep -> item ... -> done

        def fill() -> bool:
            nonlocal buf, pos, eof, consumed
            chunk = handle.read(chunk_size)
            consumed += pos
            buf, pos = buf[pos:] + chunk, 0
            eof = not chunk
            return bool(chunk)

        def fail(message: str, at: int) -> TableforgeError:
            """A syntax error at or after a byte that is not UTF-8 is most likely that byte."""
            if handle.undecodable is not None and handle.undecodable_offset <= consumed + at:
                return handle.undecodable_error(item=f"item [{index}]" if state != "done" else None)
            return SeedError(message, file=display)

        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n":
                pos += 1
            if pos >= len(buf):
                if not fill():
                    if state == "done":
                        handle.check()
                        return
                    if state == "start":
                        raise SeedError("a data file is a JSON array of items (file is empty)", file=display)
                    raise fail(f"unexpected end of file after item [{index - 1}]", pos)
                continue
            char = buf[pos]
            if state == "done":
                raise fail("unexpected text after the closing ']'", pos)
            if state == "start":
                if char != "[":
                    raise fail("a data file is a JSON array of items", pos)
                pos, state = pos + 1, "first"
                continue
            if state in ("first", "sep") and char == "]":
                pos, state = pos + 1, "done"
                continue
            if state == "sep":
                if char != ",":
                    raise fail(f"expected ',' or ']' after item [{index - 1}]", pos)
                pos, state = pos + 1, "item"
                continue
            try:
                value, end = decoder.raw_decode(buf, pos)
            except RecursionError:
                raise fail(
                    f"item [{index}] is nested too deeply to read; DynamoDB allows {MAX_NESTING} levels "
                    "of maps and lists",
                    pos,
                ) from None
            except ValueError as exc:
                if not eof and fill():
                    continue  # the item may continue in the next chunk
                message = str(exc)
                if "integer string conversion" in message:  # Python's int() refuses over 4300 digits
                    message = "a number has more than 4300 digits; DynamoDB keeps at most 38"
                raise fail(f"invalid JSON in item [{index}]: {message}", getattr(exc, "pos", pos)) from None
            if end == len(buf) and not eof and not isinstance(value, (dict, list, str)):
                # a bare number cut at the chunk boundary: read on before trusting it
                fill()
                continue
            pos = end
            yield index, value
            index += 1
            state = "sep"


# --- validation --------------------------------------------------------------------


def key_label(item: dict[str, Any], spec: TableSpec, *, short: bool = False) -> str:
    parts = []
    for key in spec.key_attributes():
        if key.name in item:
            text = repr(item[key.name])
            if short and len(text) > 60:
                text = f"{text[:40]}...({len(text)} characters)"
            parts.append(f"{key.name}={text}")
    return " ".join(parts)


def where(source: Source, index: int, item: Any) -> str:
    label = key_label(item, source.spec, short=True) if isinstance(item, dict) else ""
    return f"item [{index}]" + (f" ({label})" if label else "")


_TYPE_NAMES = {"S": "a string", "N": "a number", "B": "binary"}


def _matches(value: Any, attr_type: str) -> bool:
    if attr_type == "S":
        return isinstance(value, str)
    if attr_type == "N":
        return isinstance(value, (int, Decimal)) and not isinstance(value, bool)
    return isinstance(value, (bytes, bytearray))


def validate_item(source: Source, index: int, item: Any) -> tuple[Any, ...]:
    """Check one item against every limit DynamoDB enforces on a write; return its primary
    key. Raises SeedError naming the file, the item and the field (``a.b[2].c``)."""
    spec = source.spec

    def fail(message: str, fld: str | None = None) -> SeedError:
        return SeedError(message, file=source.display, item=where(source, index, item), field=fld)

    if not isinstance(item, dict):
        raise fail(f"an item is a mapping of attribute names to values, got {type(item).__name__}")
    if MARKER_ATTRIBUTE in item:
        raise fail(f"'{MARKER_ATTRIBUTE}' is reserved: the loader sets it to mark what it wrote", MARKER_ATTRIBUTE)
    keys, key_names, types, patterns, key_limits = _spec_info(spec)
    for key in keys:
        if key.name not in item:
            raise fail(f"key attribute '{key.name}' is missing", key.name)
    # Every name and value, at every depth: one walk checks them and adds up the size.
    size = 0
    for name, value in item.items():
        try:
            size += _name_size(name) + _size(value, 0)
        except _BadValue as exc:
            raise fail(exc.message, field_path([name, *reversed(exc.path)])) from None
    for name, attr_type in types.items():
        if name not in item:
            continue  # a GSI key may be absent: the item just stays out of that index
        value = item[name]
        role = "key" if name in key_names else "index key"
        if not _matches(value, attr_type):
            raise fail(
                f"{role} attribute must be {_TYPE_NAMES[attr_type]} (type {attr_type}), "
                f"got {type(value).__name__} {value!r}",
                name,
            )
        if attr_type in ("S", "B") and len(value) == 0:
            raise fail(f"{role} attribute is empty; DynamoDB rejects empty key values", name)
        shape = patterns.get(name)
        if shape is not None and not shape[1].fullmatch(value):
            raise fail(f"{value!r} does not match the catalog's key pattern '{shape[0]}'", name)
        limit, what = key_limits[name]
        value_size = _size(value, 0)
        if value_size > limit:
            raise fail(f"key value is {value_size} bytes; DynamoDB allows at most {limit} for {what}", name)
    if spec.ttl and spec.ttl in item and not _matches(item[spec.ttl], "N"):
        raise fail(
            f"TTL attribute must be a number (epoch seconds); DynamoDB ignores {type(item[spec.ttl]).__name__}s",
            spec.ttl,
        )
    for name, value in source.extra.items():
        size += _name_size(name) + _size(value, 0)
    if size > MAX_ITEM_BYTES:
        raise fail(f"item is {size} bytes; DynamoDB allows at most {MAX_ITEM_BYTES} (400 KB)")
    return tuple(_hashable(item[k.name]) for k in keys)


_SpecInfo = tuple[
    Any,
    set[str],
    dict[str, str],
    dict[str, tuple[str, re.Pattern[str]]],
    dict[str, tuple[int, str]],
]
_SPEC_INFO: dict[int, tuple[TableSpec, _SpecInfo]] = {}


def _spec_info(spec: TableSpec) -> _SpecInfo:
    """Key attributes, their names, every key/GSI attribute type, the catalog's key
    patterns as regexes, and each key attribute's size limit (the smallest of its roles:
    a table's partition key that is also an index's sort key has 1024 bytes), once per spec."""
    cached = _SPEC_INFO.get(id(spec))
    if cached is None or cached[0] is not spec:
        keys = spec.key_attributes()
        patterns = {
            k.name: (k.pattern, pattern_regex(k.pattern))
            for k in [*keys, *(g for gsi in spec.gsis for g in gsi.key_attributes())]
            if k.pattern and k.type == "S"
        }
        roles: list[tuple[str, int, str]] = [(spec.partition_key.name, MAX_PARTITION_KEY_BYTES, "a partition key")]
        if spec.sort_key:
            roles.append((spec.sort_key.name, MAX_SORT_KEY_BYTES, "a sort key"))
        for gsi in spec.gsis:
            roles.append((gsi.partition_key.name, MAX_PARTITION_KEY_BYTES, f"the partition key of index {gsi.name}"))
            if gsi.sort_key:
                roles.append((gsi.sort_key.name, MAX_SORT_KEY_BYTES, f"the sort key of index {gsi.name}"))
        limits: dict[str, tuple[int, str]] = {}
        for name, limit, what in roles:
            if name not in limits or limit < limits[name][0]:
                limits[name] = (limit, what)
        info: _SpecInfo = (keys, {k.name for k in keys}, spec.attribute_types(), patterns, limits)
        cached = (spec, info)
        _SPEC_INFO[id(spec)] = cached
    return cached[1]


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """A catalog key pattern as a regex: ``USER#{user_id}`` is 'USER#' then a non-empty
    value; ``PROFILE|SETTINGS`` is one of the literals."""
    alternatives = []
    for alternative in pattern.split("|"):
        parts = re.split(r"\{[^{}]+\}", alternative.strip())
        alternatives.append(".+".join(re.escape(part) for part in parts))
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


def _hashable(value: Any) -> Any:
    return bytes(value) if isinstance(value, bytearray) else value


class _BadValue(Exception):
    """A value or name DynamoDB would refuse. ``path`` collects the names and list
    indexes on the way out of the walk, innermost first."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.path: list[Any] = []


def _not_a_name(name: Any) -> str:
    if name is None:
        kind = "null"
    elif isinstance(name, bool):
        kind = f"the boolean {yaml_text(name)}"
    elif isinstance(name, (int, Decimal, float)):
        kind = f"the number {name}"
    else:
        kind = f"a {type(name).__name__} value"
    return f"attribute name is {kind}, not a string; quote it in the file (e.g. '{yaml_text(name)}')"


def _text_size(text: str, what: str) -> int:
    """UTF-8 bytes of ``text``; text that UTF-8 cannot encode is refused (lone surrogates,
    and the undecodable bytes of the file, which the reader hands over as U+DC80..U+DCFF)."""
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        code = ord(text[exc.start])
    if 0xDC80 <= code <= 0xDCFF:
        raise _BadValue(
            f"{what} is not UTF-8 text: it holds byte 0x{code - 0xDC00:02X}, which does not decode as UTF-8 "
            f"(save the file as UTF-8), or the escape \\u{code:04x}, a lone surrogate"
        )
    raise _BadValue(
        f"{what} holds \\u{code:04x}, a lone surrogate: not a character, so neither UTF-8 nor DynamoDB "
        "can store it (an escaped surrogate needs its pair)"
    )


def _name_size(name: Any) -> int:
    if type(name) is not str:
        raise _BadValue(_not_a_name(name))
    size = len(name) if name.isascii() else _text_size(name, "attribute name")
    if not 0 < size <= MAX_ATTRIBUTE_NAME_BYTES:
        if size:
            raise _BadValue(f"attribute name is {size} bytes; DynamoDB allows at most {MAX_ATTRIBUTE_NAME_BYTES}")
        raise _BadValue("attribute name is empty; DynamoDB names have at least one character, at every depth")
    return size


def _show_number(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 50 else f"{text[:24]}...({len(text)} characters)"


def _decimal_size(value: Decimal) -> int:
    """Check a number against DynamoDB's limits and return its size. DynamoDB Local stores a
    number as base-100 digit pairs aligned on the decimal point, plus a byte, plus one more
    when negative: 12345 is 01|23|45, 4 bytes; 1.5 is 01|50, 3 bytes; -1 is 3 bytes; 0 is 1.
    That is never less than the guide's "1 byte per two significant digits, plus 1"."""
    if not value.is_finite():
        raise _BadValue(f"{value} is not a number DynamoDB can store")
    if not value:
        return 1
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    count = len(digits)
    while digits[count - 1] == 0:  # trailing zeros are not significant (as leading ones)
        count -= 1
        exponent += 1
    if count > MAX_NUMBER_DIGITS:
        raise _BadValue(
            f"number {_show_number(value)} has {count} significant digits; DynamoDB keeps at most {MAX_NUMBER_DIGITS}"
        )
    top = exponent + count - 1  # the power of ten of the first digit
    if top > MAX_NUMBER_EXPONENT:
        raise _BadValue(
            f"number {_show_number(value)} is too large: DynamoDB stores magnitudes up to "
            "9.9999999999999999999999999999999999999E+125 (Number overflow)"
        )
    if top < MIN_NUMBER_EXPONENT:
        raise _BadValue(
            f"number {_show_number(value)} is too small: DynamoDB stores magnitudes down to 1E-130, "
            "and 0 (Number underflow)"
        )
    return 2 + top // 2 - exponent // 2 + sign


#: Integers below this magnitude have at most 38 digits and are in range: sized from their text.
_SMALL_INT = 10**MAX_NUMBER_DIGITS


def _int_size(value: int) -> int:
    if not -_SMALL_INT < value < _SMALL_INT:
        return _decimal_size(Decimal(value))
    if not value:
        return 1
    digits = str(value)
    negative = digits[0] == "-"
    if negative:
        digits = digits[1:]
    significant = digits.rstrip("0")
    exponent = len(digits) - len(significant)
    return 2 + (exponent + len(significant) - 1) // 2 - exponent // 2 + negative


def _set_size(value: set[Any] | frozenset[Any]) -> int:
    if not value:
        raise _BadValue("a set is empty; DynamoDB has no empty sets (use a list, or leave the attribute out)")
    kinds = {type(member) for member in value}
    if kinds == {str}:
        return sum(len(m) if m.isascii() else _text_size(m, "a set member") for m in value)
    if kinds <= {int, Decimal}:
        # Python's set already holds no two equal numbers (1 and 1.0 are one), as DynamoDB wants.
        return sum(_int_size(m) if type(m) is int else _decimal_size(m) for m in value)
    if kinds == {bytes}:
        return sum(len(m) for m in value)
    names = ", ".join(sorted(k.__name__ for k in kinds))
    raise _BadValue(
        f"a set holds only strings, only numbers (int, Decimal) or only binary values; this one has {names}"
    )


def _size(value: Any, depth: int) -> int:
    """The bytes DynamoDB counts for ``value`` (its documented item-size rules, checked
    against DynamoDB Local); raises _BadValue for what DynamoDB cannot store. One walk
    does both, because this runs for every attribute of every item. ``depth`` is the
    number of maps and lists around ``value``."""
    kind = type(value)
    if kind is str:
        return len(value) if value.isascii() else _text_size(value, "value")
    if kind is int:
        return _int_size(value)
    if kind is Decimal:
        return _decimal_size(value)
    if kind is bool or value is None:
        return 1
    if kind is dict or kind is list:
        if depth >= MAX_NESTING:
            raise _BadValue(f"maps and lists are nested more than {MAX_NESTING} deep; DynamoDB refuses the 32nd level")
        # a list or map costs 3 bytes, plus 1 byte per element
        size = 3
        if kind is dict:
            name = None
            try:
                for name, member in value.items():
                    size += _name_size(name) + _size(member, depth + 1) + 1
            except _BadValue as exc:
                exc.path.append(name)
                raise
            return size
        position = 0
        try:
            for member in value:
                size += _size(member, depth + 1) + 1
                position += 1
        except _BadValue as exc:
            exc.path.append(Index(position))
            raise
        return size
    if kind is bytes or kind is bytearray:
        return len(value)
    if kind is float:  # only from generators; stored as the Decimal of its repr
        if value != value or value in (float("inf"), float("-inf")):
            raise _BadValue(f"{value} is not a number DynamoDB can store")
        return _decimal_size(Decimal(repr(value)))
    if kind is set or kind is frozenset:
        return _set_size(value)
    raise _BadValue(f"unsupported value type {kind.__name__}")


def measure(value: Any) -> int:
    """The bytes DynamoDB counts for one attribute value; raises _BadValue for a value
    DynamoDB cannot store."""
    return _size(value, 0)


def item_size(item: dict[str, Any]) -> int:
    return sum(_name_size(name) + _size(value, 0) for name, value in item.items())


def to_decimal(value: Any) -> Any:
    """Python floats (from generators) become the Decimal of their shortest repr,
    which is the number that was meant: 0.1 -> Decimal('0.1')."""
    if isinstance(value, float):
        try:
            return Decimal(repr(value))
        except InvalidOperation:  # pragma: no cover - guarded by measure()
            return value
    if isinstance(value, list):
        return [to_decimal(v) for v in value]
    if isinstance(value, dict):
        return {k: to_decimal(v) for k, v in value.items()}
    return value


@dataclass
class Validated:
    """What pass one learned: per source, its keys (for duplicates and --prune) and item count."""

    keys: dict[int, set[tuple[Any, ...]]]
    counts: dict[int, int]


def validate_sources(sources: list[Source]) -> Validated:
    """Read every source once and check every item; raise with all problems found
    (up to MAX_REPORTED_ERRORS) before anything is written."""
    errors: list[TableforgeError] = []
    more = 0
    keys: dict[int, set[tuple[Any, ...]]] = {}
    counts: dict[int, int] = {}
    first_seen: dict[tuple[str, str], dict[tuple[Any, ...], str]] = {}
    for number, source in enumerate(sources):
        if source.skip_reason:
            continue
        seen = first_seen.setdefault((source.system, source.table), {})
        table_keys: set[tuple[Any, ...]] = set()
        count = 0
        try:
            for index, item in source.items():
                count += 1
                try:
                    key = validate_item(source, index, item)
                    if key in seen:
                        raise SeedError(
                            f"duplicate key: same {key_label(item, source.spec)} as {seen[key]}",
                            file=source.display,
                            item=where(source, index, item),
                            field=source.spec.partition_key.name,
                        )
                    seen[key] = f"item [{index}] of {source.display}"
                    table_keys.add(key)
                except TableforgeError as exc:
                    if len(errors) < MAX_REPORTED_ERRORS:
                        errors.append(exc)
                    else:
                        more += 1
        except TableforgeError as exc:  # the file itself cannot be read
            errors.append(exc)
        keys[number] = table_keys
        counts[number] = count
    if errors:
        raise SeedValidationError(errors, more)
    return Validated(keys=keys, counts=counts)
