"""Reading input files as UTF-8 text: a bad byte is one error line naming the file, the line and the byte."""

from __future__ import annotations

from pathlib import Path

from tableforge.errors import TableforgeError


def decode_utf8(data: bytes, display: str) -> str:
    """``data`` as text; a TableforgeError naming ``display``, the line, column and byte when it is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        byte = data[error.start]
        raise TableforgeError(
            f"not UTF-8 text: byte 0x{byte:02x} at line {line}, column {column} ({error.reason}); "
            "save the file as UTF-8",
            file=display,
        ) from None


def read_utf8(path: Path, display: str, *, what: str = "file") -> str:
    """Read ``path`` as UTF-8; a missing or unreadable file, or a non-UTF-8 one, is a TableforgeError."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TableforgeError(f"{what} not found", file=display) from None
    except OSError as error:
        raise TableforgeError(f"cannot read file: {error.strerror}", file=display) from None
    return decode_utf8(data, display)
