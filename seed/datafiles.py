"""Seed data files: discovery, parsing and validation, before anything is written.

Layout: ``<data>/<system>/<table>.yaml|.yml|.json``; each file is a list of items.
YAML (hand-written reference data) and JSON (generated data) are both streamed item
by item, so a large file never sits in memory.

Numbers are parsed straight from their text into ``Decimal`` (never through a
float), so ``0.1`` is stored as exactly 0.1.
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
    YamlValueError,
    core_float_text,
    iter_yaml_list,
    open_text,
)
from tableforge.errors import TableforgeError

#: DynamoDB's maximum item size, 400 KB, names and values included.
MAX_ITEM_BYTES = 400 * 1024
#: Key value limits: partition key 2048 bytes, sort key 1024 bytes.
MAX_PARTITION_KEY_BYTES = 2048
MAX_SORT_KEY_BYTES = 1024
#: Numbers: up to 38 significant digits, magnitude 1E-130 to 9.99E+125.
MAX_NUMBER_DIGITS = 38
#: Nested lists and maps: at most 32 levels.
MAX_NESTING = 32
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


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


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
        raise SeedError("data directory not found", file=_display(data_dir))
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
            f"no table '{table}' in {_display(catalog.paths[system])}",
            field="--table",
        )
    sources: list[Source] = []
    for system_dir in sorted(p for p in data_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        name = system_dir.name
        if name not in catalog.systems:
            raise SeedError(
                f"data for system '{name}', which the catalog does not have; known: {', '.join(catalog.systems)}",
                file=_display(system_dir),
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
        display = _display(path)
        name = path.stem
        if name not in declared:
            raise SeedError(
                f"data file for table '{name}', which {_display(catalog.paths[system])} does not declare; "
                f"known tables: {', '.join(declared)}",
                file=display,
            )
        if name in seen:
            raise SeedError(f"two data files for table '{name}' (also {_display(seen[name])})", file=display)
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


def key_label(item: dict[str, Any], spec: TableSpec) -> str:
    parts = []
    for key in spec.key_attributes():
        if key.name in item:
            parts.append(f"{key.name}={item[key.name]!r}")
    return " ".join(parts)


def where(source: Source, index: int, item: Any) -> str:
    label = key_label(item, source.spec) if isinstance(item, dict) else ""
    return f"item [{index}]" + (f" ({label})" if label else "")


_TYPE_NAMES = {"S": "a string", "N": "a number", "B": "binary"}


def _matches(value: Any, attr_type: str) -> bool:
    if attr_type == "S":
        return isinstance(value, str)
    if attr_type == "N":
        return isinstance(value, (int, Decimal)) and not isinstance(value, bool)
    return isinstance(value, (bytes, bytearray))


def validate_item(source: Source, index: int, item: Any) -> tuple[Any, ...]:
    """Check one item; return its primary key. Raises SeedError naming file, item and field."""
    spec = source.spec

    def fail(message: str, fld: str | None = None) -> SeedError:
        return SeedError(message, file=source.display, item=where(source, index, item), field=fld)

    if not isinstance(item, dict):
        raise fail(f"an item is a mapping of attribute names to values, got {type(item).__name__}")
    if MARKER_ATTRIBUTE in item:
        raise fail(f"'{MARKER_ATTRIBUTE}' is reserved: the loader sets it to mark what it wrote", MARKER_ATTRIBUTE)
    keys, key_names, types, patterns = _spec_info(spec)
    for key in keys:
        if key.name not in item:
            raise fail(f"key attribute '{key.name}' is missing", key.name)
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
    limits = [(spec.partition_key.name, MAX_PARTITION_KEY_BYTES)]
    if spec.sort_key:
        limits.append((spec.sort_key.name, MAX_SORT_KEY_BYTES))
    for name, limit in limits:
        size = measure(item[name])
        if size > limit:
            raise fail(f"key value is {size} bytes; DynamoDB allows at most {limit}", name)
    if spec.ttl and spec.ttl in item and not _matches(item[spec.ttl], "N"):
        raise fail(
            f"TTL attribute must be a number (epoch seconds); DynamoDB ignores {type(item[spec.ttl]).__name__}s",
            spec.ttl,
        )
    size = 0
    for name, value in item.items():
        if not isinstance(name, str) or not name:
            raise fail("attribute names are non-empty strings", str(name))
        try:
            size += _name_size(name) + measure(value)
        except _BadValue as exc:
            raise fail(str(exc), name) from None
    for name, value in source.extra.items():
        size += _name_size(name) + measure(value)
    if size > MAX_ITEM_BYTES:
        raise fail(f"item is {size} bytes; DynamoDB allows at most {MAX_ITEM_BYTES} (400 KB)")
    return tuple(_hashable(item[k.name]) for k in keys)


_SPEC_INFO: dict[int, tuple[TableSpec, Any, set[str], dict[str, str], dict[str, tuple[str, re.Pattern[str]]]]] = {}


def _spec_info(spec: TableSpec) -> tuple[Any, set[str], dict[str, str], dict[str, tuple[str, re.Pattern[str]]]]:
    """Key attributes, their names, every key/GSI attribute type and the catalog's key
    patterns as regexes, computed once per spec."""
    cached = _SPEC_INFO.get(id(spec))
    if cached is None or cached[0] is not spec:
        keys = spec.key_attributes()
        patterns = {
            k.name: (k.pattern, pattern_regex(k.pattern))
            for k in [*keys, *(g for gsi in spec.gsis for g in gsi.key_attributes())]
            if k.pattern and k.type == "S"
        }
        cached = (spec, keys, {k.name for k in keys}, spec.attribute_types(), patterns)
        _SPEC_INFO[id(spec)] = cached
    return cached[1], cached[2], cached[3], cached[4]


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
    pass


def _name_size(name: str) -> int:
    return len(name) if name.isascii() else len(name.encode("utf-8"))


def _number_size(digits: int) -> int:
    # DynamoDB: about one byte per two significant digits, plus one
    return (digits + 1) // 2 + 1


def measure(value: Any, depth: int = 1) -> int:
    """The bytes DynamoDB counts for ``value`` (its documented item-size rules);
    raises _BadValue for what DynamoDB cannot store. One walk does both, because
    this runs for every attribute of every item."""
    kind = type(value)
    if kind is str:
        return len(value) if value.isascii() else len(value.encode("utf-8"))
    if kind is bool or value is None:
        return 1
    if kind is int:
        digits = len(str(abs(value)).rstrip("0") or "0")
        if digits > MAX_NUMBER_DIGITS:
            raise _BadValue(f"number {value} has more than {MAX_NUMBER_DIGITS} significant digits")
        return _number_size(digits)
    if kind is Decimal:
        if not value.is_finite():
            raise _BadValue(f"{value} is not a number DynamoDB can store")
        if not value:
            return _number_size(1)
        sign, digits_tuple, exponent = value.as_tuple()
        digits = len(digits_tuple)
        while digits > 1 and digits_tuple[digits - 1] == 0:
            digits -= 1
        if digits > MAX_NUMBER_DIGITS:
            raise _BadValue(
                f"number {value} has {digits} significant digits; DynamoDB keeps at most {MAX_NUMBER_DIGITS}"
            )
        magnitude = value.copy_abs()
        if magnitude < _MIN_NUMBER or magnitude >= _MAX_NUMBER:
            raise _BadValue(f"number {value} is outside DynamoDB's range (1E-130 to 9.99E+125)")
        return _number_size(digits)
    if kind is float:  # only from generators; stored as the Decimal of its repr
        if value != value or value in (float("inf"), float("-inf")):
            raise _BadValue(f"{value} is not a number DynamoDB can store")
        return measure(Decimal(repr(value)), depth)
    if kind is dict or kind is list:
        if depth > MAX_NESTING:
            raise _BadValue(f"nested more than {MAX_NESTING} levels deep")
        # a list or map costs 3 bytes, plus 1 byte per element
        if kind is dict:
            return 3 + sum(_name_size(k) + measure(v, depth + 1) + 1 for k, v in value.items())
        return 3 + sum(measure(v, depth + 1) + 1 for v in value)
    if kind is bytes or kind is bytearray:
        return len(value)
    raise _BadValue(f"unsupported value type {kind.__name__}")


_MIN_NUMBER = Decimal("1E-130")
_MAX_NUMBER = Decimal("1E+126")


def item_size(item: dict[str, Any]) -> int:
    return sum(_name_size(name) + measure(value) for name, value in item.items())


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
