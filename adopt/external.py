"""Tables another CloudFormation stack owns: what the plan says about releasing them.

The choice (README "Adopting tables that already exist"): we take such a table over
rather than keep it external. Import needs the owning stack to let go first: Retain,
then remove the resource. A migrate needs no release at all, since it only reads the
old table; the owner can drop it after the cut-over.
"""

from __future__ import annotations

from adopt.live import LiveState
from adopt.rows import IMPORT, MIGRATE
from tableforge.catalog import LiveTable

_HOW = {
    "amplify": (
        "Amplify: keep the model table through the Amplify project (its nested API stack), not by "
        "editing the generated CloudFormation, or the next push undoes it"
    ),
    "serverless": "the Serverless Framework: set it on the table under resources.Resources in serverless.yml",
    "cloudformation": "its template",
    "none": "its template",
}


def release(owner: str, kind: str) -> str:
    return (
        f"release it from {owner}: set DeletionPolicy: Retain and UpdateReplacePolicy: Retain on the table's "
        f"resource ({_HOW.get(kind, _HOW['cloudformation'])}) and deploy; then remove the resource and deploy "
        "again: the table stays, owned by no stack. Check first that the owner's code gets the name "
        "literally, not from a Ref to the removed resource"
    )


def reason(entry: LiveTable, live: LiveState, owner: str, *, then: str, then_reason: str) -> str:
    by = "its aws:cloudformation:stack-name tag" if live.owner_stack else "the catalog; tags are not readable here"
    head = f"owned by stack {owner} (per {by})"
    if then == IMPORT:
        return f"{head}; it cannot be imported while another stack owns it: {release(owner, entry.owner)}; then: import ({then_reason})"
    if then == MIGRATE:
        return (
            f"{head}; then: migrate ({then_reason}). A migrate only reads it, so no release is needed: "
            f"{owner} may remove it after the cut-over (Retain it first to keep a copy)"
        )
    return f"{head}; {then_reason}"


def unnamed_reason(entry: LiveTable, where: str) -> str:
    owner = entry.owner_stack or f"the {entry.owner} stack"
    return (
        f"owned by {owner} (per the catalog); the seed names neither the table nor the stack: find them "
        "(aws cloudformation list-stack-resources --stack-name <stack> --query "
        "\"StackResourceSummaries[?ResourceType=='AWS::DynamoDB::Table']\"), set "
        f"{where}.name and owner_stack, and run the plan again; a name other than ours makes it a migrate, "
        "which needs no release"
    )
