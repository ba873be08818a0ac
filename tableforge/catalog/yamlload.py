"""The one YAML loader for every input: duplicate keys are errors, not silently the last one.

PyYAML keeps the last of two equal keys; a catalog, a usage file or a data file
must not. Every error is raised as the caller's error class (``CatalogError`` by
default) naming the file and the line.

What a document parses to is the loader class's business: ``UniqueKeyLoader`` is
PyYAML's safe loader (YAML 1.1 implicit types, as before). A caller that needs
other types passes a subclass, e.g. seed data files parse floats as exact
Decimals; one that wants YAML 1.2's core schema would pass a subclass with that
schema's implicit resolvers. The duplicate-key check comes with every subclass.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from tableforge.errors import CatalogError, TableforgeError


class UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, with duplicate mapping keys rejected. Subclass it to change
    how scalars resolve and construct (``add_constructor``, ``add_implicit_resolver``)."""


class YamlValueError(Exception):
    """Raised by a constructor for a scalar it cannot accept; rendered with the node's line."""

    def __init__(self, message: str, node: yaml.Node) -> None:
        super().__init__(message)
        self.line = node.start_mark.line + 1


class _DuplicateKey(Exception):
    def __init__(self, key: Any, first_line: int, line: int) -> None:
        super().__init__(key)
        self.key, self.first_line, self.line = key, first_line, line


def _construct_unique_mapping(loader: UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            first = seen.get(key)
        except TypeError:
            continue  # an unhashable key: construct_mapping rejects it with its line
        if first is not None:
            raise _DuplicateKey(key, first + 1, key_node.start_mark.line + 1)
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


@contextmanager
def _rendered(display: str, error: type[TableforgeError], key_name: str) -> Iterator[None]:
    """Turn what parsing raises into one ``error`` naming the file and the line."""
    try:
        yield
    except _DuplicateKey as dup:
        raise error(
            f"duplicate {key_name} '{dup.key}' at line {dup.line} (first defined at line {dup.first_line})",
            file=display,
        ) from None
    except YamlValueError as exc:
        raise error(f"{exc} at line {exc.line}", file=display) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"invalid YAML{where}: {problem}", file=display) from None


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


def _read_text(path: Path, display: str, error: type[TableforgeError]) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"cannot read file: {exc.strerror}", file=display) from None


def load_yaml_unique(
    path: Path,
    display: str,
    *,
    error: type[TableforgeError] = CatalogError,
    loader: type[UniqueKeyLoader] = UniqueKeyLoader,
    key_name: str = "key",
) -> Any:
    """Read and parse a YAML file, rejecting duplicate keys; errors name ``display`` and the line."""
    return loads_yaml_unique(_read_text(path, display, error), display, error=error, loader=loader, key_name=key_name)


def iter_yaml_list(
    path: Path,
    display: str,
    *,
    error: type[TableforgeError] = CatalogError,
    loader: type[UniqueKeyLoader] = UniqueKeyLoader,
    key_name: str = "key",
    what: str = "the file",
) -> Iterator[tuple[int, Any]]:
    """Stream a YAML file holding one list, as (index, item), item by item.

    PyYAML's reader pulls the file in chunks and each item is composed and
    constructed on its own, so memory holds one item. An empty file or a null
    document is an empty list. ``what`` names the file in shape errors
    ("a data file is a list of items").
    """
    try:
        stream = path.open(encoding="utf-8")
    except OSError as exc:
        raise error(f"cannot read file: {exc.strerror}", file=display) from None
    parser = loader(stream)
    try:
        with _rendered(display, error, key_name):
            yield from _list_items(parser, display, error, what)
    finally:
        parser.dispose()
        stream.close()


def _list_items(
    yaml_loader: UniqueKeyLoader, display: str, error: type[TableforgeError], what: str
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
            yield index, loader.construct_document(node)
            index += 1
        loader.get_event()  # SequenceEnd
    loader.get_event()  # DocumentEnd
    if not loader.check_event(yaml.StreamEndEvent):
        raise error(f"{what} holds one YAML document (a list of items)", file=display)
