"""``python -m cost ...``: a shortcut for ``tableforge cost ...``, same commands and exit statuses."""

from __future__ import annotations

import sys

from tableforge.cli import main as cli_main


def main(argv: list[str] | None = None) -> int:
    return cli_main(argv, group="cost", prog="python -m cost")


if __name__ == "__main__":
    sys.exit(main())
