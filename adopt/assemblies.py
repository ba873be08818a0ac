"""What ``adopt plan --mapping-out DIR`` writes, per data stack with imports:

- ``<Stage>-<Stack>.json``: the resource mapping ``cdk import --resource-mapping`` reads.
  The pinned CLI (aws-cdk 2.1148.1, ``ResourceImporter.loadResourceIdentifiers`` in
  node_modules/aws-cdk/lib/index.js) looks each importable resource up by its template
  **logical ID** and takes the value as the import identifier: ``{"UsersTable6D91A5EE":
  {"TableName": "auxeira-users-prod"}}``; a construct path is not a key it reads.
- ``<Stage>-<Stack>.import/``: a cloud assembly of that one stack whose imported tables
  are described as they are live (``cdk import --app`` takes a directory).
- ``<Stage>-<Stack>.deploy-N/``: the assemblies of the deploys between the import and
  the app itself (see :mod:`adopt.templates`).

Each assembly keeps the synthesized stack's manifest entries; the template's file asset
is renamed to the SHA-256 of the new content, so ``cdk deploy`` publishes the edited
template instead of finding the original under the old hash.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from adopt import templates
from adopt.rows import IMPORT, Plan, Row
from adopt.steps import gsi_rounds, slug
from tableforge.assembly import StackTemplate


def write_outputs(directory: Path, plan: Plan, stacks: list[StackTemplate]) -> list[Path]:
    """Write the mapping files and assemblies; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for stack in stacks:
        imports = [r for r in plan.rows if r.stack == stack.construct_path and r.action == IMPORT]
        if not imports:
            continue
        base = directory / slug(stack.construct_path)
        mapping = base.with_name(base.name + ".json")
        mapping.write_text(json.dumps(plan.resource_mapping[stack.construct_path], indent=2) + "\n")
        written.append(mapping)
        written.append(write_assembly(base.with_name(base.name + ".import"), stack, _template(stack, imports, None)))
        for number in range(1, gsi_rounds(imports) + 1):
            target = base.with_name(f"{base.name}.deploy-{number}")
            written.append(write_assembly(target, stack, _template(stack, imports, number - 1)))
    return written


def _template(stack: StackTemplate, imports: list[Row], new_gsis: int | None) -> dict[str, Any]:
    """The stack's template with each imported table live (None) or with ``new_gsis`` more GSIs."""
    template = copy.deepcopy(stack.template)
    for row in imports:
        assert row.model is not None and row.live is not None
        resource = (
            templates.live_state(row.model, row.live)
            if new_gsis is None
            else templates.with_new_gsis(row.model, row.live, new_gsis)
        )
        template["Resources"][row.logical_id] = resource
    return template


def write_assembly(target: Path, stack: StackTemplate, template: dict[str, Any]) -> Path:
    """A cloud assembly holding only ``stack``, with ``template`` as its template."""
    source_dir = stack.template_path.parent
    manifest = json.loads((source_dir / "manifest.json").read_text())
    artifact = copy.deepcopy(manifest["artifacts"][stack.artifact_id])
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    body = json.dumps(template, indent=1)
    digest = hashlib.sha256(body.encode()).hexdigest()
    (target / stack.template_path.name).write_text(body)
    artifacts = {}
    for dependency in artifact.get("dependencies", []):
        asset = copy.deepcopy(manifest["artifacts"][dependency])
        if asset.get("type") == "cdk:asset-manifest":
            _rehash(source_dir, target, asset["properties"]["file"], stack.template_path.name, digest, artifact)
        artifacts[dependency] = asset
    metadata = artifact.get("additionalMetadataFile")
    if metadata and (source_dir / metadata).is_file():
        shutil.copy(source_dir / metadata, target / metadata)
    artifacts[stack.artifact_id] = artifact
    out = {k: v for k, v in manifest.items() if k != "artifacts"}
    out["artifacts"] = artifacts
    (target / "manifest.json").write_text(json.dumps(out, indent=1))
    return target


def _rehash(
    source_dir: Path, target: Path, assets_file: str, template_file: str, digest: str, artifact: dict[str, Any]
) -> None:
    assets = json.loads((source_dir / assets_file).read_text())
    files = {}
    for old, entry in assets.get("files", {}).items():
        if entry.get("source", {}).get("path") == template_file:
            for destination in entry.get("destinations", {}).values():
                destination["objectKey"] = destination["objectKey"].replace(old, digest)
            props = artifact["properties"]
            if "stackTemplateAssetObjectUrl" in props:
                props["stackTemplateAssetObjectUrl"] = props["stackTemplateAssetObjectUrl"].replace(old, digest)
            files[digest] = entry
        else:
            files[old] = entry
    assets["files"] = files
    (target / assets_file).write_text(json.dumps(assets, indent=1))
