"""Render CloudFormation intrinsics to comparable strings.

IAM policies name tables through ``Fn::GetAtt``, ``Fn::ImportValue`` (another
stack's export) or plain ARNs. Rendering all of them to the same text
(``arn:${AWS::Partition}:dynamodb:...:table/<TableName>/index/<name>``) lets the
review compare base and head statements and find who queries an index, whatever
the access stack happens to use.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tableforge.assembly import StackTemplate
from tableforge.model import Intrinsic, TableModel
from tableforge.naming import SUB_PSEUDO, table_arn

_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")


class Resolver:
    """Resolves references across every stack of one assembly."""

    def __init__(self, stacks: list[StackTemplate]) -> None:
        self.exports: dict[str, tuple[StackTemplate, Any]] = {}
        #: Stack template path -> its tables by logical ID, read once.
        self._tables: dict[Path, dict[str, TableModel]] = {}
        for stack in stacks:
            for output in stack.template.get("Outputs", {}).values():
                name = output.get("Export", {}).get("Name")
                if isinstance(name, str):
                    self.exports[name] = (stack, output.get("Value"))

    def render(self, value: Any, stack: StackTemplate, _depth: int = 0) -> str:
        if _depth > 20:
            return "${?}"
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float, bool)) or value is None:
            return json.dumps(value)
        if isinstance(value, list):
            return "[" + ", ".join(self.render(v, stack, _depth + 1) for v in value) + "]"
        if not isinstance(value, dict) or len(value) != 1:
            return json.dumps(value, sort_keys=True)
        ((fn, arg),) = value.items()
        if fn == "Ref" and isinstance(arg, str):
            return self._ref(arg, stack, _depth)
        if fn == "Fn::GetAtt":
            target, attr = arg.split(".", 1) if isinstance(arg, str) else (arg + ["", ""])[:2]
            return self._get_att(str(target), str(attr), stack, _depth)
        if fn == "Fn::ImportValue":
            name = self.render(arg, stack, _depth + 1)
            if name in self.exports:
                other, exported = self.exports[name]
                return self.render(exported, other, _depth + 1)
            return "${Import:" + name + "}"
        if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            return str(arg[0]).join(self.render(part, stack, _depth + 1) for part in arg[1])
        if fn == "Fn::Sub":
            return self._sub(arg, stack, _depth)
        return json.dumps(value, sort_keys=True)

    def _table(self, logical_id: str, stack: StackTemplate) -> TableModel | None:
        tables = self._tables.get(stack.template_path)
        if tables is None:
            tables = self._tables[stack.template_path] = {t.logical_id: t for t in stack.table_models()}
        return tables.get(logical_id)

    def _table_name(self, logical_id: str, table: TableModel, stack: StackTemplate, depth: int) -> str:
        name = table.table_name
        if name is None:
            return "${" + stack.display_name + "/" + logical_id + "}"
        return self.render(name.value if isinstance(name, Intrinsic) else name, stack, depth + 1)

    def _ref(self, name: str, stack: StackTemplate, depth: int) -> str:
        table = self._table(name, stack)
        if table is not None:
            return self._table_name(name, table, stack, depth)
        return "${" + name + "}"

    def _get_att(self, target: str, attr: str, stack: StackTemplate, depth: int) -> str:
        table = self._table(target, stack)
        if table is not None and attr == "Arn":
            return table_arn(self._table_name(target, table, stack, depth), **SUB_PSEUDO)
        if table is not None and attr in ("StreamArn", "LatestStreamArn"):
            return table_arn(self._table_name(target, table, stack, depth), **SUB_PSEUDO) + "/stream/*"
        return "${" + target + "." + attr + "}"

    def _sub(self, arg: Any, stack: StackTemplate, depth: int) -> str:
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
            text, variables = arg[0], arg[1] if isinstance(arg[1], dict) else {}
        elif isinstance(arg, str):
            text, variables = arg, {}
        else:
            return json.dumps({"Fn::Sub": arg}, sort_keys=True)

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return self.render(variables[name], stack, depth + 1)
            if name.startswith("AWS::"):
                return match.group(0)
            if "." in name:
                target, attr = name.split(".", 1)
                return self._get_att(target, attr, stack, depth)
            return self._ref(name, stack, depth)

        return _SUB_VAR.sub(replace, text)
