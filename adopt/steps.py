"""The plan's ordered commands: releases, large copies, imports and deploys, migrations.

Per data stack with imports: ``cdk import`` with a template that describes the imported
tables as they are live, then one deploy that makes every change but new GSIs, then one
deploy per GSI (CloudFormation creates at most one GSI per table per update), the last
being the app itself. Migrations follow, once their target tables exist.
"""

from __future__ import annotations

from adopt import large
from adopt.compare import new_gsis
from adopt.rows import BLOCKED, EXTERNAL, IMPORT, MIGRATE, Plan, Row
from tableforge.assembly import StackTemplate

#: How the adopt commands are run on this branch (``tableforge adopt`` once wired in).
PROG = "tableforge adopt"


def slug(stack_path: str) -> str:
    """``Prod/AuxeiraData`` -> ``Prod-AuxeiraData``, for file names."""
    return stack_path.replace("/", "-")


def gsi_rounds(rows: list[Row]) -> int:
    """The most GSIs any imported table of these rows still needs."""
    return max((len(new_gsis(r.model, r.live)) for r in rows if r.model and r.live), default=0)


def build_steps(plan: Plan, *, stacks: list[StackTemplate], mapping_dir: str, endpoint_url: str | None) -> list[str]:
    """``stacks``: every stack of the stage, in assembly order."""
    data = [s for s in stacks if s.kind == "data"]
    steps: list[str] = []
    for row in plan.rows:
        if row.action == BLOCKED:
            steps.append(
                f"# blocked: {row.system}/{row.table} ({row.live_name or 'no name'}): resolve it, then plan again"
            )
    steps.extend(_externals(plan))
    for row in plan.rows:
        if row.large and row.live and row.model:
            steps.extend(large.commands(row, merge=_has_import(plan, row)))
    steps.extend(_deploys(plan, data, mapping_dir))
    steps.extend(_migrations(plan, endpoint_url))
    steps.extend(_others(plan, stacks))
    if any(r.action == MIGRATE or r.then == MIGRATE for r in plan.rows):
        steps.append(
            "# cut over each migrated table (README runbook: dual writes or a short write freeze), "
            "then run its migrate again: it must report written 0"
        )
    return steps


def _others(plan: Plan, stacks: list[StackTemplate]) -> list[str]:
    """The ops and access stacks of the systems whose data stacks could be deployed."""
    ready: list[str] = []
    waiting: list[str] = []
    for system in dict.fromkeys(s.system for s in stacks if s.kind == "data"):
        rows = [r for r in plan.rows if r.system == system]
        paths = [s.construct_path for s in stacks if s.system == system and s.kind in ("ops", "access")]
        (ready if deployable(rows) else waiting).extend(paths)
    out = [f"npx cdk deploy {' '.join(ready)}   # ops and access: alarms, budgets, roles"] if ready else []
    return out + ([f"# later, with their data stacks: {' '.join(waiting)}"] if waiting else [])


def _has_import(plan: Plan, row: Row) -> bool:
    return any(r.action == IMPORT and r.physical_name == row.physical_name for r in plan.rows)


def _externals(plan: Plan) -> list[str]:
    out = []
    for row in plan.rows:
        if row.action != EXTERNAL:
            continue
        if row.live_name is None:
            out.append(
                f"# {row.system}/{row.table}: find the live table's name in {row.owner}, set it in the catalog, plan again"
            )
        elif row.then == IMPORT:
            out.append(
                f"# {row.system}/{row.table}: release {row.live_name} from {row.owner} (Retain, then remove it), plan again"
            )
    return out


def _deploys(plan: Plan, stacks: list[StackTemplate], mapping_dir: str) -> list[str]:
    out: list[str] = []
    first = True
    for stack in stacks:
        path = stack.construct_path
        rows = [r for r in plan.rows if r.stack == path]
        if not deployable(rows):
            out.append(f"# {path}: deploy it once its blocked tables and unnamed live tables are resolved")
            continue
        imports = [r for r in rows if r.action == IMPORT]
        if not imports:
            out.append(f"npx cdk deploy {path}   # creates its tables")
            continue
        if first:
            out.append(
                f"{PROG} plan --stage {plan.stage} --mapping-out {mapping_dir}   # the mapping files and templates below"
            )
            first = False
        tables = [r.physical_name for r in imports if r.model and r.live and new_gsis(r.model, r.live)]
        out.extend(_import_deploys(path, f"{mapping_dir}/{slug(path)}", gsi_rounds(imports), tables))
    return out


def deployable(rows: list[Row]) -> bool:
    """A stack can be deployed once nothing in it is blocked or live under an unknown name:
    otherwise the deploy creates an empty table the application does not write to."""
    return not any(r.action == BLOCKED or (r.action == EXTERNAL and r.live_name is None) for r in rows)


def _import_deploys(path: str, base: str, rounds: int, tables: list[str]) -> list[str]:
    out = [
        f"npx cdk import --app {base}.import {path} --resource-mapping {base}.json"
        "   # only the imported tables, described as they are live"
    ]
    for number in range(1, rounds + 1):
        note = "every change but new GSIs, and the stack's other resources"
        if number > 1:
            note = f"GSI {number - 1} of each imported table"
        out.append(f"npx cdk deploy --app {base}.deploy-{number} {path}   # {note}")
        out.extend(_wait(tables, number))
    last = "the last GSIs" if rounds else "every change of the imported tables"
    out.append(f"npx cdk deploy {path}   # the app itself: {last}")
    out.extend(_wait(tables, rounds + 1))
    return out


def _wait(tables: list[str], deploy: int) -> list[str]:
    """After a deploy that created GSIs (2 and later): check they are ACTIVE before the next one."""
    if deploy < 2:
        return []
    query = "--query 'Table.GlobalSecondaryIndexes[].[IndexName,IndexStatus]' --output text"
    return [
        f"aws dynamodb describe-table --table-name {name} {query}   # until every index is ACTIVE" for name in tables
    ]


def _migrations(plan: Plan, endpoint_url: str | None) -> list[str]:
    out = []
    flag = f" --endpoint-url {endpoint_url}" if endpoint_url else ""
    for row in plan.rows:
        moving = row.action == MIGRATE or (row.action == EXTERNAL and row.then == MIGRATE)
        if not moving or row.large or row.live_name is None:
            continue
        if not deployable([r for r in plan.rows if r.stack == row.stack]):
            out.append(f"# {row.system}/{row.table} from {row.live_name}: migrate once {row.stack} is deployed")
            continue
        command = f"{PROG} migrate --stage {plan.stage} --table {row.system}/{row.table} --from {row.live_name}{flag}"
        out.append(f"{command} --dry-run   # counts, conflicts and sample mapped items; writes nothing")
        out.append(command)
    return out
