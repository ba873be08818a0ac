"""`python -m adopt plan|migrate ...`, until the shared `tableforge` CLI wires in `adopt`."""

from __future__ import annotations

import argparse
import sys

from adopt.cli import add_commands
from tableforge.errors import TableforgeError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m adopt", description="Take over live DynamoDB tables (issue 12).")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except TableforgeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
