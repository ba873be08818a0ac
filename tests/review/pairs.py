"""Fixture pairs for the review diff: copies of one real synthesized assembly, edited.

Every pair starts from the session's synthesized cdk.out (copied once), so the
templates are exactly what the app emits; each test then edits the JSON of the
copy the way a real change would, and locates tables by their ``table`` tag, not by
hard-coded logical IDs.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tableforge.assembly import read_assembly
from tests.raw import raw_tag


class Pair:
    """A base and a head assembly, both editable copies of the pristine one."""

    def __init__(self, pristine: Path, root: Path) -> None:
        self.base = root / "base"
        self.head = root / "head"
        for target in (self.base, self.head):
            # Hard links, not copies: a pair is two views of 3 MB. Writes go through _write,
            # which replaces the link, so the pristine assembly never changes.
            shutil.copytree(pristine, target, ignore=shutil.ignore_patterns("tree.json"), copy_function=os.link)

    @contextmanager
    def edit(self, side: str, stack: str) -> Iterator[dict[str, Any]]:
        """Load ``stack``'s template on ``side`` (base or head), yield it, write it back."""
        path = template_path(getattr(self, side), stack)
        template = json.loads(path.read_text())
        yield template
        _write(path, json.dumps(template, indent=1))

    def template(self, side: str, stack: str) -> dict[str, Any]:
        return json.loads(template_path(getattr(self, side), stack).read_text())

    @contextmanager
    def artifact(self, side: str, stack: str) -> Iterator[dict[str, Any]]:
        """``stack``'s artifact in its (nested) manifest on ``side``, yielded to edit, written back:
        what CloudFormation knows about a stack besides its template (stackName,
        terminationProtection) lives there."""
        path = template_path(getattr(self, side), stack).parent / "manifest.json"
        manifest = json.loads(path.read_text())
        (artifact,) = [
            a
            for a in manifest["artifacts"].values()
            if a.get("type") == "aws:cloudformation:stack" and a.get("displayName") == stack
        ]
        yield artifact
        _write(path, json.dumps(manifest, indent=1))

    def move_construct(self, side: str, stack: str, new_path: str) -> None:
        """What a changed construct ID of the stack does when its stackName is fixed: the display name
        and every resource's ``aws:cdk:path`` change; logical IDs (relative to the stack) do not."""
        with self.edit(side, stack) as template:
            old_prefix, new_prefix = stack + "/", new_path + "/"
            for resource in template["Resources"].values():
                path = (resource.get("Metadata") or {}).get("aws:cdk:path")
                if isinstance(path, str) and path.startswith(old_prefix):
                    resource["Metadata"]["aws:cdk:path"] = new_prefix + path[len(old_prefix) :]
        with self.artifact(side, stack) as artifact:
            artifact["displayName"] = new_path


def _write(path: Path, text: str) -> None:
    """Write ``path`` as a file of its own: it may be a hard link to the pristine assembly."""
    path.unlink()
    path.write_text(text)


def template_path(directory: Path, stack: str) -> Path:
    for entry in read_assembly(directory):
        if entry.display_name == stack:
            return entry.template_path
    raise KeyError(stack)


def table_id(template: dict[str, Any], table: str) -> str:
    """The logical ID of the table tagged ``table``."""
    for logical_id, resource in template["Resources"].items():
        if resource["Type"].startswith("AWS::DynamoDB::") and raw_tag(resource, "table") == table:
            return logical_id
    raise KeyError(table)


def rename_logical_id(template: dict[str, Any], old: str, new: str) -> None:
    """What a changed construct ID does: the resource and every reference to it move."""
    text = json.dumps(template).replace(f'"{old}"', f'"{new}"')
    template.clear()
    template.update(json.loads(text))


def to_classic_table(resource: dict[str, Any]) -> dict[str, Any]:
    """The GlobalTable as the equivalent AWS::DynamoDB::Table (what the Table construct emitted)."""
    props = dict(resource["Properties"])
    replica = props.pop("Replicas")[0]
    props.pop("WriteOnDemandThroughputSettings", None)
    props.pop("ReplicaOnDemand", None)
    for key in ("PointInTimeRecoverySpecification", "DeletionProtectionEnabled", "Tags", "TableClass"):
        if key in replica:
            props[key] = replica[key]
    props["SSESpecification"] = {"SSEEnabled": True}
    return {**resource, "Type": "AWS::DynamoDB::Table", "Properties": props}


def reader_role(
    table_logical_id: str, index: str, *, actions: list[str] | None = None, extra_resources: list[Any] | None = None
) -> dict[str, dict[str, Any]]:
    """An IAM role plus its default policy allowing Query on one index, shaped like CDK's grant output.

    The index ARN is built from ``Fn::GetAtt`` as CDK does, so the review has to resolve it.
    """
    arn = {"Fn::GetAtt": [table_logical_id, "Arn"]}
    index_arn = {"Fn::Join": ["", [arn, f"/index/{index}"]]}
    return {
        "ReviewReaderRole1A2B3C4D": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Statement": [
                        {
                            "Action": "sts:AssumeRole",
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                        }
                    ],
                    "Version": "2012-10-17",
                },
                "RoleName": "review-reader",
            },
        },
        "ReviewReaderRoleDefaultPolicy5E6F7A8B": {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "PolicyDocument": {
                    "Statement": [
                        {
                            "Action": actions or ["dynamodb:GetItem", "dynamodb:Query"],
                            "Effect": "Allow",
                            "Resource": [arn, index_arn, *(extra_resources or [])],
                        }
                    ],
                    "Version": "2012-10-17",
                },
                "PolicyName": "ReviewReaderRoleDefaultPolicy5E6F7A8B",
                "Roles": [{"Ref": "ReviewReaderRole1A2B3C4D"}],
            },
        },
    }
