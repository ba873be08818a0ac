"""``tableforge <group> <command>``: every tool of the project behind one command line.

Each group's commands and options are defined by its own module (``add_commands``);
this module only lists the groups and is the one place that turns errors into exit
statuses:

* ``0`` success;
* ``1`` a blocked or failed check: the command's own status (a review with blocking
  findings), or an AWS/DynamoDB call that failed;
* ``2`` bad input: a :class:`~tableforge.errors.TableforgeError` or a usage error
  (an error class may say otherwise with its ``exit_status``: a seed load that failed
  part way is a failed DynamoDB call, 1);
* ``130`` interrupted (Ctrl-C).

An error is printed as one ``error: ...`` line on stderr, never a traceback (a seed
validation error lists its invalid items on indented lines below it).

``python -m seed``, ``python -m cost`` and ``python -m review`` (and ``python -m
tableforge.summary``, ``tools.access_report``, ``tableforge.generate``) are shortcuts
that call :func:`main` with their group pre-selected.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NoReturn

from botocore.exceptions import BotoCoreError, ClientError

from tableforge.errors import TableforgeError

#: Set to 1 to let an unexpected exception (a bug) propagate with its traceback.
DEBUG_VARIABLE = "TABLEFORGE_DEBUG"


class UsageError(TableforgeError):
    """A command line argparse rejected, or a command that does not exist."""


class _Parser(argparse.ArgumentParser):
    """An argparse parser whose usage errors raise instead of printing usage and exiting,
    so that the boundary in :func:`main` prints them like every other bad input."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


@dataclass(frozen=True)
class Group:
    name: str
    help: str
    #: ``module:function`` that adds the group's commands and options to its parser and
    #: sets ``handler`` (``Namespace -> exit status``). Imported only when the group is
    #: used, so ``tableforge summary`` does not pay for boto3, and ``--help`` for nothing.
    commands: str
    aliases: tuple[str, ...] = ()


GROUPS: tuple[Group, ...] = (
    Group(
        "synth-summary",
        "what was synthesized, per system and stage: tables, alarms, monthly cost",
        "tableforge.summary:add_commands",
        aliases=("summary",),
    ),
    Group("seed", "load seed data, create local tables, generate synthetic data", "seed.cli:add_commands"),
    Group("cost", "offline monthly cost estimates from the synthesized templates", "cost.cli:add_commands"),
    Group("review", "DynamoDB-aware diff of two assemblies or git refs, for CI", "review.cli:add_commands"),
    Group(
        "adopt",
        "take over tables that already run: plan the import or migration, copy items",
        "adopt.cli:add_group_commands",
    ),
    Group(
        "access-report", "docs/access-<system>.md: who may do what to which table", "tools.access_report:add_commands"
    ),
    Group(
        "generate", "write a large synthetic catalog (scale test, synth benchmark)", "tableforge.generate:add_commands"
    ),
)


def _commands(group: Group) -> Callable[[argparse.ArgumentParser], None]:
    module, _, function = group.commands.partition(":")
    add: Callable[[argparse.ArgumentParser], None] = getattr(importlib.import_module(module), function)
    return add


def build_parser(argv: Sequence[str], *, group: str | None = None, prog: str | None = None) -> argparse.ArgumentParser:
    """The parser for ``argv``: every group is listed, only the selected one is built.

    ``group`` pre-selects a group (the ``python -m seed`` shortcuts; ``argv`` then starts
    with the group's name) and ``prog`` names the program in usage lines: the root's, or
    with ``group`` the group's.
    """
    root = _Parser(
        prog=(prog if group is None else None) or "tableforge",
        description="DynamoDB tables as a validated catalog: synth summary, seed data, cost, review, access.",
        epilog="exit status: 0 success, 1 a blocked or failed check, 2 bad input, 130 interrupted",
    )
    groups = root.add_subparsers(dest="group", required=True, metavar="<group>", title="groups")
    selected = argv[0] if argv else None
    for entry in GROUPS:
        sub = groups.add_parser(
            entry.name,
            aliases=list(entry.aliases),
            help=entry.help,
            description=entry.help,
            prog=prog if group == entry.name else None,  # None: "<root prog> <group>"
        )
        if selected in (entry.name, *entry.aliases):
            _commands(entry)(sub)
    return root


def main(argv: Sequence[str] | None = None, *, group: str | None = None, prog: str | None = None) -> int:
    """Run one command; return its exit status. The only place errors become exit statuses."""
    args = list(sys.argv[1:] if argv is None else argv)
    if group is not None:
        args.insert(0, group)
    try:
        try:
            namespace = build_parser(args, group=group, prog=prog).parse_args(args)
        except SystemExit as done:  # --help and friends print, then exit 0
            return done.code if isinstance(done.code, int) else 0
        return int(namespace.handler(namespace))
    except TableforgeError as error:
        return _fail(error.exit_status, str(error))
    except (ClientError, BotoCoreError) as error:
        return _fail(1, f"AWS: {error}")
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if os.environ.get(DEBUG_VARIABLE):
            raise
        return _fail(1, f"unexpected {type(error).__name__}: {error} ({DEBUG_VARIABLE}=1 shows the traceback)")


def _fail(status: int, message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return status
