"""``python -m adopt``: a shortcut for ``tableforge adopt``, same commands and exit statuses."""

from __future__ import annotations

import sys

from tableforge.cli import main as cli_main


def main(argv: list[str] | None = None) -> int:
    return cli_main(sys.argv[1:] if argv is None else argv, group="adopt", prog="python -m adopt")


if __name__ == "__main__":
    sys.exit(main())
