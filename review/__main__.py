"""``python -m review ...``: a shortcut for ``tableforge review ...``, same commands and exit statuses."""

from __future__ import annotations

import sys

from tableforge.cli import main as cli_main


def main(argv: list[str] | None = None) -> int:
    return cli_main(argv, group="review", prog="python -m review")


if __name__ == "__main__":
    sys.exit(main())
