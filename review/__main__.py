"""``python -m review diff --base DIR --head DIR [--format markdown|json] [--stage S]``.

Exit status: 0 when nothing blocks, 1 when an unacknowledged destructive change
reaches a protected stage, 2 for bad input (printed as one ``error:`` line).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from review.diff import review
from review.render import render_json, render_markdown
from tableforge.errors import TableforgeError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m review", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    diff = commands.add_parser("diff", help="compare two synthesized assemblies (cdk.out directories)")
    diff.add_argument("--base", required=True, type=Path, help="the base assembly, e.g. main's cdk.out")
    diff.add_argument("--head", required=True, type=Path, help="the head assembly, e.g. the branch's cdk.out")
    diff.add_argument("--format", choices=("markdown", "json"), default="markdown")
    diff.add_argument("--stage", help="only this stage (dev, staging, prod)")
    diff.add_argument(
        "--acknowledged",
        type=Path,
        default=None,
        help="acknowledged destructive changes (default: review/acknowledged.yaml)",
    )
    diff.add_argument("--output", type=Path, default=None, help="also write the report to this file")
    diff.add_argument("--no-cost", action="store_true", help="skip the cost estimator")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        report = review(
            args.base, args.head, stage=args.stage, acknowledged=args.acknowledged, with_cost=not args.no_cost
        )
    except TableforgeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    text = render_json(report) if args.format == "json" else render_markdown(report)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    if report.blocking:
        print(
            f"review: {len(report.blocking)} unacknowledged destructive change(s) on a protected stage", file=sys.stderr
        )
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
