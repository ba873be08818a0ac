"""``tableforge cost estimate`` (or ``python -m cost estimate``): price synthesized templates offline.

tableforge cost estimate [--cdk-out DIR | --template FILE ...] [--stage S]
                         [--usage FILE ...] [--format table|markdown|json]
                         [--prices FILE] [--region R] [--refresh-prices]
"""

from __future__ import annotations

import argparse
import json
import sys

from cost.estimate import DEFAULT_REGION, estimate_stacks, template_stack
from cost.prices import load_price_book
from cost.render import render_markdown, render_table
from cost.usage import load_usage_dir, load_usage_file
from tableforge.assembly import read_assembly
from tableforge.errors import TableforgeError


def add_commands(root: argparse.ArgumentParser) -> None:
    """``tableforge cost <command>``: each command sets ``handler``."""
    root.description = "Offline cost estimates from CloudFormation templates."
    commands = root.add_subparsers(dest="command", required=True)
    estimate = commands.add_parser("estimate", help="price a cloud assembly or template files")
    source = estimate.add_mutually_exclusive_group()
    source.add_argument("--cdk-out", default=None, help="cloud assembly directory (default: cdk.out)")
    source.add_argument(
        "--template", action="extend", nargs="+", default=None, metavar="FILE", help="template file(s); repeatable"
    )
    estimate.add_argument("--stage", default=None, help="only this stage (dev, staging, prod)")
    estimate.add_argument(
        "--usage",
        action="append",
        default=None,
        metavar="FILE",
        help="usage file(s) instead of the default usage/<system>.yaml profiles; repeatable, later files win",
    )
    estimate.add_argument("--usage-dir", default=None, help="directory of default profiles (default: usage/)")
    estimate.add_argument("--format", choices=("table", "markdown", "json"), default="table")
    estimate.add_argument(
        "--prices", default=None, metavar="FILE", help="price data file (default: cost/data/prices.json)"
    )
    estimate.add_argument(
        "--region",
        default=DEFAULT_REGION,
        help="region for stacks whose environment names none, and the region --refresh-prices fetches",
    )
    estimate.add_argument(
        "--refresh-prices",
        action="store_true",
        help="first rebuild the price file's DynamoDB prices from the AWS Price List API (needs credentials)",
    )
    estimate.set_defaults(handler=cmd_estimate)


def cmd_estimate(args: argparse.Namespace) -> int:
    print(run(args))
    return 0


def run(args: argparse.Namespace) -> str:
    if args.refresh_prices:
        from cost.refresh import make_client, refresh_price_file

        path, fetched = refresh_price_file(make_client(), args.region, source=args.prices, target=args.prices)
        print(f"refreshed {len(fetched)} DynamoDB prices for {args.region} into {path}", file=sys.stderr)
    book = load_price_book(args.prices)
    if args.template:
        stacks = [template_stack(path) for path in args.template]
    else:
        stacks = read_assembly(args.cdk_out or "cdk.out")
    usage_files = [load_usage_file(path) for path in args.usage] if args.usage else load_usage_dir(args.usage_dir)
    result = estimate_stacks(stacks, book=book, usage_files=usage_files, stage=args.stage, default_region=args.region)
    result["stage"] = args.stage
    if args.stage and not result["tables"] and not result["monitoring"]:
        raise TableforgeError(f"no resources for stage '{args.stage}' in the templates", field="--stage")
    if args.format == "json":
        return json.dumps(result, indent=2)
    if args.format == "markdown":
        return render_markdown(result)
    return render_table(result)
