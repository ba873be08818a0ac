"""One error type for bad input, rendered without a traceback by every entry point."""

from __future__ import annotations

from pathlib import Path


def display_path(path: Path | str) -> str:
    """How an error names a file: relative to the working directory when inside it, else as given."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class TableforgeError(Exception):
    """Bad input: a catalog typo, an unknown stage, a malformed data file.

    The message always names the file, and the item and field when known, so a
    user can fix the input without reading our code.

    ``exit_status`` is what the command line exits with: 2 (bad input) unless a
    subclass is about something else, such as a load that failed part way (1).
    """

    exit_status = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        item: str | None = None,
        field: str | None = None,
    ) -> None:
        self.file = file
        self.item = item
        self.field = field
        self.detail = message
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.item:
            where.append(self.item)
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = ": ".join(where)
        return f"{prefix}: {self.detail}" if prefix else self.detail


class CatalogError(TableforgeError):
    """A catalog file that cannot be synthesized."""


class StageError(TableforgeError):
    """A stage name or stage setting that does not exist."""
