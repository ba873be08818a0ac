"""The one YAML loader for every input: duplicate keys are errors, not silently the last one.

PyYAML keeps the last of two equal keys; a catalog, a usage file or a data file
must not. Every error is raised as the caller's error class (``CatalogError`` by
default) naming the file and the line, and in a list of items (``iter_yaml_list``)
the item and the field too.

What a document parses to is the loader class's business, chosen per caller:

- ``UniqueKeyLoader`` is PyYAML's safe loader (YAML 1.1 implicit types, as before):
  catalogs, usage files and acknowledgements.
- ``CoreSchemaLoader`` resolves plain scalars by YAML 1.2's core schema (YAML 1.2.2,
  10.3.2 "Tag Resolution"; PyYAML has no 1.2 mode, so the resolvers are written out
  below): ``NO`` is a string, ``1:30`` is a string, ``0o17`` is 15.
- With ``refuse_ambiguous`` (seed data files), a plain scalar that YAML 1.1 and the
  1.2 core schema read differently is refused with both readings, instead of either
  being picked silently: ``country: NO`` (false in 1.1), ``duration: 1:30`` (90),
  ``zip: 01234`` (octal 668 in 1.1, 1234 in 1.2, and a number keeps no leading zero),
  ``1e5`` (text in 1.1). Quoting says which was meant. So every value such a loader
  accepts is the value any YAML tool reads, ``yaml.safe_load`` included (dates aside,
  where the seed keeps the text written).

Text: files are UTF-8 (``open_text``). A UTF-8 byte-order mark is skipped; UTF-16
and UTF-32 files are refused by name. Bytes that are not UTF-8 reach the parser as
U+DC80..U+DCFF (Python's ``surrogateescape``), so a caller that checks its values
can say which item and field hold them; the reader also reports the first one with
its line and column once the file has been read (``TextReader.check``).

The duplicate-key check comes with every subclass.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from tableforge.errors import CatalogError, TableforgeError


class UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, with duplicate mapping keys rejected. Subclass it to change
    how scalars resolve and construct (``add_constructor``, ``add_implicit_resolver``)."""


class YamlValueError(Exception):
    """Raised by a constructor for a scalar it cannot accept; rendered with the node's line
    (and, in a list of items, the item and the field holding the node)."""

    def __init__(self, message: str, node: yaml.Node) -> None:
        super().__init__(message)
        self.node = node
        self.line = node.start_mark.line + 1


class _DuplicateKey(Exception):
    def __init__(self, key: Any, first_line: int, line: int, node: yaml.Node, what: str | None = None) -> None:
        super().__init__(key)
        self.key, self.first_line, self.line, self.node, self.what = key, first_line, line, node, what


def _construct_unique_mapping(loader: UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            first = seen.get(key)
        except TypeError:
            continue  # an unhashable key: construct_mapping rejects it with its line
        if first is not None:
            raise _DuplicateKey(key, first + 1, key_node.start_mark.line + 1, key_node)
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


# --- YAML 1.2 core schema ------------------------------------------------------------

_INT, _FLOAT, _BOOL, _NULL, _STR = (f"tag:yaml.org,2002:{t}" for t in ("int", "float", "bool", "null", "str"))
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
#: The tag of a plain scalar that YAML 1.1 and 1.2 read differently (``refuse_ambiguous``).
AMBIGUOUS_TAG = "tag:tableforge,2026:ambiguous"
#: PyYAML's YAML 1.1 resolution, to compare with.
_YAML_1_1 = yaml.SafeLoader("")


def _resolve(resolver: Any, kind: Any, value: str, implicit: tuple[bool, bool]) -> str:
    """PyYAML's ``resolve`` (untyped)."""
    tag: str = resolver.resolve(kind, value, implicit)
    return tag


class CoreSchemaLoader(UniqueKeyLoader):
    """Plain scalars resolve by YAML 1.2's core schema; everything else is a string.

    - null: ``~``, ``null``, ``Null``, ``NULL`` and the empty scalar
    - bool: ``true``/``True``/``TRUE``, ``false``/``False``/``FALSE`` (not yes/no/on/off)
    - int: ``[-+]?[0-9]+``, ``0o[0-7]+``, ``0x[0-9a-fA-F]+`` (no ``0b``, no ``_``, no base 60)
    - float: ``[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?``, ``[-+]?.inf``, ``.nan``
      (each in the spec's three spellings)

    There are no implicit timestamps (``2026-01-01`` is a string). Merge keys (``<<``)
    resolve as in PyYAML's loader. Explicit tags follow the same rules: ``!!bool yes``
    is refused, not True. A ``\\uD83D\\uDE00`` escape pair is joined into the one
    character it encodes, as JSON does; a lone surrogate is left in the string for the
    caller to refuse. ``!!set`` members must be unique and have no values.
    """

    yaml_implicit_resolvers: dict[Any, Any] = {}
    #: Refuse a plain scalar that YAML 1.1 (PyYAML) resolves to another tag, or (an
    #: integer with a leading zero) to another value; see the module docstring.
    refuse_ambiguous = False
    #: YAML 1.1 tags this loader constructs as the very text 1.2 reads (a subclass that
    #: keeps timestamps as strings lists the timestamp tag): not ambiguous.
    same_as_text: frozenset[str] = frozenset()

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        tag = _resolve(super(), kind, value, implicit)
        if self.refuse_ambiguous and kind is yaml.ScalarNode and implicit[0]:
            old = _resolve(_YAML_1_1, kind, value, implicit)
            if old != tag and not (tag == _STR and old in self.same_as_text):
                return AMBIGUOUS_TAG
        return tag

    def check_printable(self, data: str) -> None:
        """PyYAML's check, except for U+DC80..U+DCFF: the bytes ``open_text`` could not
        decode, let through so that the caller can name the value holding them."""
        match = _NON_PRINTABLE.search(data)
        if match:
            reader: Any = self
            position = reader.index + (len(reader.buffer) - reader.pointer) + match.start()
            raise yaml.reader.ReaderError(
                reader.name, position, ord(match.group()), "unicode", "special characters are not allowed"
            )


_NON_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\udc80-\udcff\ue000-\ufffd\U00010000-\U0010ffff]")
_CORE_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_CORE_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_CORE_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_CORE_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_MERGE = re.compile(r"^(?:<<)$")
_DECIMAL_INT = re.compile(r"[-+]?[0-9]+")
#: Python's int() refuses longer digit strings (sys.int_info.default_max_str_digits).
_MAX_INT_DIGITS = 4300

# Order matters where two patterns match one scalar: an int before a float ("12").
CoreSchemaLoader.add_implicit_resolver(_NULL, _CORE_NULL, ["~", "n", "N", ""])
CoreSchemaLoader.add_implicit_resolver(_BOOL, _CORE_BOOL, list("tTfF"))
CoreSchemaLoader.add_implicit_resolver(_INT, _CORE_INT, list("-+0123456789"))
CoreSchemaLoader.add_implicit_resolver(_FLOAT, _CORE_FLOAT, list("-+.0123456789"))
CoreSchemaLoader.add_implicit_resolver("tag:yaml.org,2002:merge", _MERGE, ["<"])


def core_int(text: str) -> int | Decimal | None:
    """The integer a core-schema int scalar stands for, or None if it is not one."""
    if _DECIMAL_INT.fullmatch(text):
        # Python's int() refuses very long digit strings; a Decimal is exact, whatever its length.
        return Decimal(text) if len(text) > _MAX_INT_DIGITS else int(text)
    if _CORE_INT.match(text) and text[:2] in ("0o", "0x"):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return None


def core_float_text(text: str) -> str:
    """A core-schema float as Python's float() and Decimal() spell it: ``-.inf`` is
    ``-inf``, ``.NaN`` is ``nan``; every other spelling is theirs already."""
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return lowered[:-4] + "inf"
    return "nan" if lowered == ".nan" else text


def _construct_core_bool(loader: CoreSchemaLoader, node: yaml.ScalarNode) -> bool:
    text = loader.construct_scalar(node)
    if not _CORE_BOOL.match(text):
        raise YamlValueError(f"'{text}' is not a boolean in YAML 1.2 (true or false)", node)
    return text.lower() == "true"


def _construct_core_int(loader: CoreSchemaLoader, node: yaml.ScalarNode) -> int | Decimal:
    text = loader.construct_scalar(node)
    number = core_int(text)
    if number is None:
        raise YamlValueError(f"'{text}' is not an integer in YAML 1.2 (decimal, 0o octal or 0x hex)", node)
    digits = text.lstrip("+-")
    if loader.refuse_ambiguous and len(digits) > 1 and digits.startswith("0") and digits.isdigit():
        sign = text[: len(text) - len(digits)]
        octal = int(f"{sign}{digits}", 8) if set(digits) <= set("01234567") else None
        reading = f"'{text}' has a leading zero, which a number does not keep"
        if octal is not None and octal != number:  # else 1.1 reads it as text: resolve() refused it
            reading = f"'{text}' is ambiguous: YAML 1.1 reads it as the octal number {octal}, YAML 1.2 as {number}"
        raise YamlValueError(f"{reading}; quote it ('{text}') to keep the text, or write {number}", node)
    return number


def _construct_core_float(loader: CoreSchemaLoader, node: yaml.ScalarNode) -> float:
    text = loader.construct_scalar(node)
    if not _CORE_FLOAT.match(text):
        raise YamlValueError(f"'{text}' is not a number in YAML 1.2", node)
    return float(core_float_text(text))


_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def _join_pair(match: re.Match[str]) -> str:
    high, low = (ord(c) for c in match.group())
    return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))


def _construct_core_str(loader: CoreSchemaLoader, node: yaml.ScalarNode) -> str:
    text: str = loader.construct_scalar(node)
    if not text.isascii():
        text = _PAIR.sub(_join_pair, text)
    return text


def _construct_unique_set(loader: CoreSchemaLoader, node: yaml.MappingNode) -> Iterator[set[Any]]:
    data: set[Any] = set()
    yield data
    seen: dict[Any, int] = {}
    for key_node, value_node in node.value:
        member = loader.construct_object(key_node, deep=True)
        try:
            first = seen.get(member)
        except TypeError:
            raise YamlValueError("a set member must be a string, number or binary value", key_node) from None
        if first is not None:
            raise _DuplicateKey(member, first + 1, key_node.start_mark.line + 1, key_node, "set member")
        if loader.construct_object(value_node, deep=True) is not None:
            raise YamlValueError(f"set member '{member}' has a value; a !!set lists members only", value_node)
        seen[member] = key_node.start_mark.line
        data.add(member)


def _reading(text: str, tag: str) -> str:
    """What a plain scalar is under ``tag``, in words, for the ambiguity message."""
    if tag == _STR:
        return f"the text '{text}'"
    if tag == _BOOL:
        return "true" if text.lower() in ("true", "yes", "on") else "false"
    if tag in (_INT, _FLOAT):
        number = _number_in(text)
        return "a number" if number is None else f"the number {number}"
    return {_NULL: "null", _TIMESTAMP: "a date"}.get(tag, f"a YAML 1.1 {tag.rsplit(':', 1)[-1]}")


def _number_in(text: str) -> int | Decimal | None:
    """The number YAML 1.2, else YAML 1.1 (base 60, 0b, underscores), reads in ``text``."""
    number = core_int(text)
    if number is None and _CORE_FLOAT.match(text):
        number = Decimal(core_float_text(text))
    if number is None:
        try:
            value = yaml.load(text, Loader=yaml.SafeLoader)
        except (yaml.YAMLError, ValueError):
            return None
        if isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, int) and not isinstance(value, bool):
            number = value
    return number


def _unambiguous(number: int | Decimal) -> str:
    """A spelling of ``number`` that YAML 1.1 and 1.2 both read as that number: PyYAML's
    1.1 floats need a '.' and a signed exponent."""
    if isinstance(number, int):
        return str(number)
    if not number.is_finite():
        return str(number)
    text = format(number, "E") if abs(number.adjusted()) > 15 else format(number, "f")
    mantissa, _, exponent = text.partition("E")
    if "." not in mantissa:
        mantissa += ".0"
    return f"{mantissa}e{exponent}" if exponent else mantissa


def _construct_ambiguous(loader: CoreSchemaLoader, node: yaml.ScalarNode) -> Any:
    text = node.value
    old = _resolve(_YAML_1_1, yaml.ScalarNode, text, (True, False))
    new = _resolve(_CORE_ONLY, yaml.ScalarNode, text, (True, False))
    if ":" in text and old in (_INT, _FLOAT):
        reading = f"'{text}' is a base-60 number in YAML 1.1 ({_number_in(text)}) and text in YAML 1.2"
    else:
        reading = (
            f"'{text}' is ambiguous: YAML 1.1 reads it as {_reading(text, old)}, YAML 1.2 as {_reading(text, new)}"
        )
    hint = f"quote it ('{text}') to keep the text"
    meant = old if new == _STR else new
    if meant == _BOOL:
        hint += f", or write {_reading(text, meant)}"
    elif meant in (_INT, _FLOAT) and (number := _number_in(text)) is not None:
        hint += f", or write {_unambiguous(number)}"
    raise YamlValueError(f"{reading}; {hint}", node)


#: A plain core-schema loader, for ``_construct_ambiguous`` to ask what 1.2 alone reads.
_CORE_ONLY = CoreSchemaLoader("")

CoreSchemaLoader.add_constructor(_BOOL, _construct_core_bool)
CoreSchemaLoader.add_constructor(_INT, _construct_core_int)
CoreSchemaLoader.add_constructor(_FLOAT, _construct_core_float)
CoreSchemaLoader.add_constructor(_STR, _construct_core_str)
CoreSchemaLoader.add_constructor("tag:yaml.org,2002:set", _construct_unique_set)
CoreSchemaLoader.add_constructor(AMBIGUOUS_TAG, _construct_ambiguous)


# --- text ------------------------------------------------------------------------------

_FOREIGN_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32LE (it starts with a UTF-32 byte-order mark)"),
    (codecs.BOM_UTF32_BE, "UTF-32BE (it starts with a UTF-32 byte-order mark)"),
    (codecs.BOM_UTF16_LE, "UTF-16LE (it starts with a UTF-16 byte-order mark)"),
    (codecs.BOM_UTF16_BE, "UTF-16BE (it starts with a UTF-16 byte-order mark)"),
)
_UNDECODED = re.compile("[\udc80-\udcff]")


def _foreign_encoding(head: bytes) -> str | None:
    """UTF-16 or UTF-32, by byte-order mark or (without one) by the NUL bytes that
    ASCII text has in those encodings (RFC 4627's detection)."""
    for bom, name in _FOREIGN_BOMS:
        if head.startswith(bom):
            return name
    if len(head) >= 4 and head[0] and not head[1] and not head[2] and not head[3]:
        return "UTF-32LE (every character has three NUL bytes)"
    if len(head) >= 4 and not head[0] and not head[1] and not head[2] and head[3]:
        return "UTF-32BE (every character has three NUL bytes)"
    if len(head) >= 2 and head[0] and not head[1]:
        return "UTF-16LE (every other byte is NUL)"
    if len(head) >= 2 and not head[0] and head[1]:
        return "UTF-16BE (every other byte is NUL)"
    return None


def _foreign_error(foreign: str) -> str:
    return (
        f"the file is {foreign.split(' ')[0][:6]}, not UTF-8 ({foreign.split('(')[1].rstrip(')')}): "
        f"convert it, e.g. `iconv -f {foreign.split(' ')[0]} -t UTF-8`"
    )


class TextReader:
    """A UTF-8 file as text, read in chunks; see the module docstring.

    ``read(size)`` returns at most about ``size`` characters and '' only at the end.
    The first undecodable byte is remembered with its line and column (``undecodable``);
    ``where(offset)`` gives the line and column of a character offset in the last
    chunks read (for the parser's own errors).
    """

    def __init__(self, path: Path, display: str, error: type[TableforgeError]) -> None:
        self.display, self.error = display, error
        try:
            self._raw: BinaryIO = path.open("rb")
        except OSError as exc:
            raise error(f"cannot read file: {exc.strerror}", file=display) from None
        head = self._raw.read(4)
        foreign = _foreign_encoding(head)
        if foreign:
            self._raw.close()
            raise error(_foreign_error(foreign), file=display)
        self._pending = head[3:] if head.startswith(codecs.BOM_UTF8) else head
        self._decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self._eof = False
        #: characters handed out so far, and the line and column after them
        self._offset, self._line, self._column = 0, 1, 1
        #: (offset, line, column, text) of the last two chunks, for ``where``
        self._recent: list[tuple[int, int, int, str]] = []
        #: (line, column, byte) of the first byte that is not UTF-8, and how many there were
        self.undecodable: tuple[int, int, int] | None = None
        self.undecodable_offset = -1
        self.undecodable_count = 0

    def read(self, size: int = -1) -> str:
        text = ""
        while not text and not self._eof:
            data = self._pending + self._raw.read(size if size > 0 else -1)
            self._pending = b""
            self._eof = not data
            text = self._decoder.decode(data, final=self._eof)
        if text:
            self._note(text)
        return text

    def _note(self, text: str) -> None:
        self._recent = [*self._recent[-1:], (self._offset, self._line, self._column, text)]
        if not text.isascii():
            bad = _UNDECODED.findall(text)
            if bad:
                if self.undecodable is None:
                    first = _UNDECODED.search(text)
                    assert first is not None
                    line, column = self._position(self._offset, self._line, self._column, text, first.start())
                    self.undecodable = (line, column, ord(first.group()) - 0xDC00)
                    self.undecodable_offset = self._offset + first.start()
                self.undecodable_count += len(bad)
        self._line, self._column = self._position(self._offset, self._line, self._column, text, len(text))
        self._offset += len(text)

    @staticmethod
    def _position(offset: int, line: int, column: int, text: str, index: int) -> tuple[int, int]:
        newlines = text.count("\n", 0, index)
        if not newlines:
            return line, column + index
        return line + newlines, index - text.rfind("\n", 0, index)

    def where(self, offset: int) -> tuple[int, int] | None:
        for start, line, column, text in self._recent:
            if start <= offset <= start + len(text):
                return self._position(start, line, column, text, offset - start)
        return None

    def undecodable_error(self, item: str | None = None) -> TableforgeError:
        assert self.undecodable is not None
        line, column, byte = self.undecodable
        more = f" (and {self.undecodable_count - 1} more)" if self.undecodable_count > 1 else ""
        return self.error(
            f"not UTF-8: byte 0x{byte:02X} at line {line}, column {column} cannot be decoded{more}; "
            "save the file as UTF-8",
            file=self.display,
            item=item,
        )

    def check(self) -> None:
        """After the whole file was read: refuse it if any byte was not UTF-8."""
        if self.undecodable is not None:
            raise self.undecodable_error()

    def close(self) -> None:
        self._raw.close()


def open_text(path: Path, display: str, error: type[TableforgeError]) -> TextReader:
    """``path`` as UTF-8 text for a streaming parser; errors name ``display``."""
    return TextReader(path, display, error)


# --- reading and errors ----------------------------------------------------------------


def _message(exc: YamlValueError | _DuplicateKey, key_name: str) -> str:
    if isinstance(exc, _DuplicateKey):
        what = exc.what or key_name
        return f"duplicate {what} '{exc.key}' at line {exc.line} (first defined at line {exc.first_line})"
    return f"{exc} at line {exc.line}"


@contextmanager
def _rendered(
    display: str, error: type[TableforgeError], key_name: str, text: TextReader | None = None
) -> Iterator[None]:
    """Turn what parsing raises into one ``error`` naming the file and the line."""
    try:
        yield
    except (_DuplicateKey, YamlValueError) as exc:
        raise error(_message(exc, key_name), file=display) from None
    except RecursionError:
        raise error("invalid YAML: nested too deeply to read", file=display) from None
    except yaml.reader.ReaderError as exc:
        _undecodable_first(text, exc.position)
        place = text.where(exc.position) if text else None
        where = f" at line {place[0]}, column {place[1]}" if place else ""
        raise error(
            f"invalid YAML{where}: character U+{exc.character:04X} is not allowed in YAML text "
            '(write it as an escape in a double-quoted string, e.g. "\\x00")',
            file=display,
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            _undecodable_first(text, mark.index)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"invalid YAML{where}: {problem}", file=display) from None


_PLAIN_NAME = re.compile(r"[A-Za-z0-9_\-#:@$/]+")


class Index(int):
    """A list index in a field path (a plain int there is a mapping key that is a number)."""


def field_path(parts: list[Any]) -> str:
    """A field in an item: ``profile.address.zip``, ``tags[2]``. A name that is not a plain
    word is quoted in brackets (``meta['']``), a long one cut; one that is not a string is
    shown as YAML writes it (``sales.2023``, ``flags.null``)."""
    out = ""
    for part in parts:
        if type(part) is Index:
            out += f"[{part}]"
        elif type(part) is str and not (_PLAIN_NAME.fullmatch(part) and len(part) <= 64):
            out += f"[{part if len(part) <= 64 else part[:24] + '...'!r}]"
        else:
            text = part if type(part) is str else yaml_text(part)
            out += f".{text}" if out else text
    return out


def yaml_text(value: Any) -> str:
    """A scalar as YAML writes it: null, true, 2023."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, (int, Decimal, float)) else repr(value)


def _node_path(root: yaml.Node, target: yaml.Node) -> list[Any] | None:
    """The names and indexes leading from ``root`` to ``target`` (a node inside it)."""
    stack: list[tuple[yaml.Node, list[Any]]] = [(root, [])]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if id(node) in seen:  # an alias: the same node again
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                name = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                if key_node is target:
                    return [*path, name]
                stack.append((value_node, [*path, name]))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, [*path, Index(i)]) for i, child in enumerate(node.value))
    return None


def _undecodable_first(text: TextReader | None, offset: int) -> None:
    """A syntax error at or after a byte that is not UTF-8 is most likely that byte."""
    if text is not None and text.undecodable is not None and text.undecodable_offset <= offset:
        raise text.undecodable_error()


def loads_yaml_unique(
    text: str,
    display: str,
    *,
    error: type[TableforgeError] = CatalogError,
    loader: type[UniqueKeyLoader] = UniqueKeyLoader,
    key_name: str = "key",
) -> Any:
    """Parse one YAML document, rejecting duplicate keys; errors name ``display`` and the line.

    ``key_name`` is what a mapping key is called in the duplicate-key message
    (a data file's keys are attributes).
    """
    with _rendered(display, error, key_name):
        return yaml.load(text, Loader=loader)


def read_text(path: Path, display: str, error: type[TableforgeError]) -> str:
    """A whole file as text: UTF-8 (a byte-order mark is kept for the parser to skip); any other
    encoding, or bytes that are not UTF-8, is one error naming ``display``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error(f"cannot read file: {exc.strerror}", file=display) from None
    foreign = _foreign_encoding(data[:4])
    if foreign:
        raise error(_foreign_error(foreign), file=display)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise error(
            f"not UTF-8: byte 0x{data[exc.start]:02X} at line {line}, column {column} cannot be decoded; "
            "save the file as UTF-8",
            file=display,
        ) from None


def load_yaml_unique(
    path: Path,
    display: str,
    *,
    error: type[TableforgeError] = CatalogError,
    loader: type[UniqueKeyLoader] = UniqueKeyLoader,
    key_name: str = "key",
) -> Any:
    """Read and parse a YAML file, rejecting duplicate keys; errors name ``display`` and the line."""
    return loads_yaml_unique(read_text(path, display, error), display, error=error, loader=loader, key_name=key_name)


def iter_yaml_list(
    path: Path,
    display: str,
    *,
    error: type[TableforgeError] = CatalogError,
    loader: type[UniqueKeyLoader] = UniqueKeyLoader,
    key_name: str = "key",
    what: str = "the file",
    label: Callable[[yaml.Node], str] | None = None,
) -> Iterator[tuple[int, Any]]:
    """Stream a YAML file holding one list, as (index, item), item by item.

    PyYAML's reader pulls the file in chunks and each item is composed and
    constructed on its own, so memory holds one item. An empty file or a null
    document is an empty list. ``what`` names the file in shape errors
    ("a data file is a list of items"). A value the loader refuses is reported with
    the item (its index, and ``label(item node)`` if given) and the field holding it.
    The file is read by ``open_text``: a byte that is not UTF-8 fails the file once it
    has been read (the items holding such bytes were handed out, for the caller to name).
    """
    text = open_text(path, display, error)
    parser: UniqueKeyLoader | None = None
    try:
        with _rendered(display, error, key_name, text):
            parser = loader(text)  # reads the first chunk
            yield from _list_items(parser, display, error, what, key_name, label)
        text.check()
    finally:
        if parser is not None:
            parser.dispose()
        text.close()


def _list_items(
    yaml_loader: UniqueKeyLoader,
    display: str,
    error: type[TableforgeError],
    what: str,
    key_name: str,
    label: Callable[[yaml.Node], str] | None,
) -> Iterator[tuple[int, Any]]:
    # PyYAML's parser and composer methods have no type annotations.
    loader: Any = yaml_loader
    loader.get_event()  # StreamStart
    if loader.check_event(yaml.StreamEndEvent):
        return  # an empty file: no items
    loader.get_event()  # DocumentStart
    if not loader.check_event(yaml.SequenceStartEvent):
        # Anything but a list: fine only if it is null (an empty list).
        data = loader.construct_document(loader.compose_node(None, None))
        if data is not None:
            raise error(f"{what} is a list of items", file=display)
    else:
        loader.get_event()  # SequenceStart
        index = 0
        while not loader.check_event(yaml.SequenceEndEvent):
            node = loader.compose_node(None, None)
            try:
                item = loader.construct_document(node)
            except (YamlValueError, _DuplicateKey) as exc:
                tag = f" ({label(node)})" if label and label(node) else ""
                path = _node_path(node, exc.node)
                raise error(
                    _message(exc, key_name),
                    file=display,
                    item=f"item [{index}]{tag}",
                    field=field_path(path or []) or None,
                ) from None
            yield index, item
            index += 1
        loader.get_event()  # SequenceEnd
    loader.get_event()  # DocumentEnd
    if not loader.check_event(yaml.StreamEndEvent):
        raise error(f"{what} holds one YAML document (a list of items)", file=display)
