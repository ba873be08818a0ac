"""``tableforge review diff --base DIR --head DIR [--format markdown|json] [--stage S]``.

Exit status: 0 when nothing blocks, 1 when an unacknowledged destructive change, wildcard
grant or trust beyond the account reaches a protected stage, 2 for bad input (printed as one ``error:`` line by
``tableforge.cli``). ``python -m review ...`` is a shortcut for the same commands.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from review.diff import review
from review.findings import Finding, Report, SecurityChange
from review.render import render_json, render_markdown
from review.synth_ref import synth_pair, temporary_workdir


def add_commands(parser: argparse.ArgumentParser) -> None:
    """``tableforge review <command>``: each command sets ``handler``."""
    parser.description = __doc__.splitlines()[0]
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
    diff.add_argument("--json-output", type=Path, default=None, help="also write the JSON report to this file")
    diff.add_argument("--no-cost", action="store_true", help="skip the cost estimator")
    diff.set_defaults(handler=cmd_diff)

    ref = commands.add_parser("ref", help="synthesize a git ref and the working tree, then diff them")
    ref.add_argument("--base-ref", required=True, help="git ref to compare against, e.g. main or HEAD~1")
    ref.add_argument("--format", choices=("markdown", "json"), default="markdown")
    ref.add_argument("--stage", help="only this stage (dev, staging, prod)")
    ref.add_argument("--acknowledged", type=Path, default=None)
    ref.add_argument("--output", type=Path, default=None, help="also write the report to this file")
    ref.add_argument("--json-output", type=Path, default=None, help="also write the JSON report to this file")
    ref.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="synthesize into this directory and keep it (default: a temporary one, removed)",
    )
    ref.add_argument("--no-cost", action="store_true", help="skip the cost estimator")
    ref.set_defaults(handler=cmd_ref)


def _review_ref(args: argparse.Namespace) -> Report:
    workdir = temporary_workdir(args.keep)
    try:
        base, head = synth_pair(args.base_ref, workdir)
        return review(base, head, stage=args.stage, acknowledged=args.acknowledged, with_cost=not args.no_cost)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


def cmd_diff(args: argparse.Namespace) -> int:
    report = review(args.base, args.head, stage=args.stage, acknowledged=args.acknowledged, with_cost=not args.no_cost)
    return _output(args, report)


def cmd_ref(args: argparse.Namespace) -> int:
    return _output(args, _review_ref(args))


def _output(args: argparse.Namespace, report: Report) -> int:
    """Print (and write) the report; the exit status is 1 when it blocks."""
    text = render_json(report) if args.format == "json" else render_markdown(report)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    if args.json_output:
        args.json_output.write_text(render_json(report), encoding="utf-8")
    sys.stdout.write(text)
    destructive = [b for b in report.blocking if isinstance(b, Finding)]
    security = [b for b in report.blocking if isinstance(b, SecurityChange)]
    if destructive:
        print(f"review: {len(destructive)} unacknowledged destructive change(s) on a protected stage", file=sys.stderr)
    if security:
        print(
            f"review: {len(security)} unacknowledged security change(s) granting wildcards or trust beyond the "
            "account on a protected stage",
            file=sys.stderr,
        )
    return report.exit_code
