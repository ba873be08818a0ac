"""Generate a large synthetic catalog, for the scale test and the synth benchmark.

    tableforge generate --tables 500 --out /tmp/big-catalog

Tables are assigned to stacks the way a team would grow a system: in order of
creation, ``per_stack`` to a stack, each table keeping its number forever.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import yaml


def table_spec(index: int, *, stack: int) -> dict[str, Any]:
    """A varied but valid table: every third has a GSI, every fifth is provisioned, every fourth has TTL."""
    spec: dict[str, Any] = {
        "description": f"Generated table {index}.",
        "source": [{"doc": "generated", "section": f"table {index}"}],
        "partition_key": {"name": "PK", "type": "S"},
        "sort_key": {"name": "SK", "type": "S"},
        "billing": {"mode": "on_demand"},
        "stack": stack,
    }
    if index % 5 == 0:
        spec["billing"] = {"mode": "provisioned", "read": 5, "write": 5, "write_max": 25}
    if index % 3 == 0:
        spec["gsis"] = [
            {
                "name": "gsi1",
                "partition_key": {"name": "GSI1PK", "type": "S"},
                "sort_key": {"name": "GSI1SK", "type": "S"},
                "purpose": "generated access pattern",
            }
        ]
    if index % 4 == 0:
        spec["ttl"] = "expires_at"
    return spec


def generate(tables: int, *, system: str = "bulk", per_stack: int = 50, start: int = 0) -> dict[str, Any]:
    return {
        "system": system,
        "description": f"Generated catalog of {tables} tables.",
        "tables": {f"table-{i:04d}": table_spec(i, stack=i // per_stack) for i in range(start, start + tables)},
    }


def write(catalog: dict[str, Any], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{catalog['system']}.yaml"
    path.write_text(yaml.safe_dump(catalog, sort_keys=False))
    return path


def add_commands(parser: argparse.ArgumentParser) -> None:
    """``tableforge generate --tables N --out DIR``."""
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--tables", type=int, default=500)
    parser.add_argument("--per-stack", type=int, default=50)
    parser.add_argument("--system", default="bulk")
    parser.add_argument("--out", type=Path, required=True)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    path = write(generate(args.tables, system=args.system, per_stack=args.per_stack), args.out)
    print(f"wrote {args.tables} tables to {path}")
    return 0


if __name__ == "__main__":
    import sys

    from tableforge.cli import main

    sys.exit(main(group="generate", prog="python -m tableforge.generate"))
