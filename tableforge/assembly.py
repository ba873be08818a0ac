"""Read a synthesized cloud assembly (cdk.out) without importing aws-cdk-lib.

The seed loader, the cost estimator, the review diff and the synth summary all
read what was actually synthesized, not the catalog, through this module: each
stack with its CloudFormation name, construct path, and the system, stage and
kind the app wrote into its template metadata at synth; each table through the
read model in :mod:`tableforge.model`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tableforge.errors import TableforgeError
from tableforge.model import TableModel, read_tables

__all__ = ["StackTemplate", "read_assembly", "stack_metadata"]

#: Template metadata every tableforge stack carries: {"system", "stage", "kind", ...}.
STACK_METADATA_KEY = "tableforge:stack"
#: The stack kinds: tables, alarms/topic/dashboard/budget, consumer roles.
STACK_KINDS = ("data", "ops", "access")


def stack_metadata(*, system: str, stage: str, kind: str, **extra: Any) -> dict[str, Any]:
    """The template metadata a stack writes at synth, read back by :class:`StackTemplate`."""
    assert kind in STACK_KINDS, kind
    return {STACK_METADATA_KEY: {"system": system, "stage": stage, "kind": kind, **extra}}


@dataclass(frozen=True)
class StackTemplate:
    """One synthesized stack: where it sits in the assembly and its template."""

    #: ``Prod/AuxeiraData``: the path ``cdk deploy`` accepts.
    display_name: str
    stack_name: str
    artifact_id: str
    #: The stage's construct ID (``Prod``), or None for a top-level stack.
    stage: str | None
    template_path: Path
    template: dict[str, Any]
    #: The concrete region of the stack's environment, None when env-agnostic.
    region: str | None = None
    #: The concrete account of the stack's environment, None when env-agnostic.
    account: str | None = None
    #: The manifest's ``terminationProtection``: CloudFormation refuses to delete the stack.
    #: A stack property, not part of the template (``cdk deploy`` sets it on the stack).
    termination_protection: bool = False

    @property
    def construct_path(self) -> str:
        """``Prod/AuxeiraData``: the stack's path in the construct tree (what ``cdk deploy`` takes)."""
        return self.display_name

    @property
    def _meta(self) -> dict[str, Any]:
        meta = (self.template.get("Metadata") or {}).get(STACK_METADATA_KEY)
        return meta if isinstance(meta, dict) else {}

    @property
    def system(self) -> str | None:
        """The system the app wrote into the template at synth; None for a foreign template."""
        value = self._meta.get("system")
        return value if isinstance(value, str) else None

    @property
    def stage_name(self) -> str | None:
        """The lower-case stage name (``prod``) from the template metadata."""
        value = self._meta.get("stage")
        return value if isinstance(value, str) else None

    @property
    def kind(self) -> str | None:
        """``data``, ``ops`` or ``access``; None for a template the app did not write."""
        value = self._meta.get("kind")
        return value if isinstance(value, str) else None

    def table_models(self) -> list[TableModel]:
        """Every table of the template through the read model, in template order."""
        return read_tables(self.template)

    def resources(self, *types: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for logical_id, resource in self.template.get("Resources", {}).items():
            if not types or resource.get("Type") in types:
                yield logical_id, resource


def read_assembly(directory: Path | str) -> list[StackTemplate]:
    """Every stack template in the assembly, nested stage assemblies included."""
    root = Path(directory)
    manifest_path = root / "manifest.json"
    if not manifest_path.is_file():
        raise TableforgeError("no cloud assembly here (manifest.json missing); run `make synth` first", file=str(root))
    return list(_walk(root, stage=None))


def _walk(directory: Path, stage: str | None) -> Iterator[StackTemplate]:
    manifest = json.loads((directory / "manifest.json").read_text())
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        kind = artifact.get("type")
        props = artifact.get("properties", {})
        if kind == "cdk:cloud-assembly":
            nested_stage = props.get("displayName") or artifact_id
            yield from _walk(directory / props["directoryName"], stage=nested_stage)
        elif kind == "aws:cloudformation:stack":
            template_path = directory / props["templateFile"]
            yield StackTemplate(
                display_name=artifact.get("displayName", artifact_id),
                stack_name=props.get("stackName", artifact_id),
                artifact_id=artifact_id,
                stage=stage,
                template_path=template_path,
                template=json.loads(template_path.read_text()),
                region=_region(artifact.get("environment", "")),
                account=_account(artifact.get("environment", "")),
                termination_protection=props.get("terminationProtection") is True,
            )


def _region(environment: str) -> str | None:
    """``aws://account/region`` -> region; None for ``unknown-region`` or no environment."""
    region = environment.rsplit("/", 1)[-1] if environment.startswith("aws://") else ""
    return None if not region or region.startswith("unknown") else region


def _account(environment: str) -> str | None:
    """``aws://account/region`` -> account; None for ``unknown-account`` or no environment."""
    parts = environment[len("aws://") :].split("/", 1) if environment.startswith("aws://") else []
    account = parts[0] if parts else ""
    return None if not account or account.startswith("unknown") else account
