"""The report's data model: findings, security changes and the report itself."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Level = Literal["destructive", "risky", "safe"]
LEVELS: tuple[Level, ...] = ("destructive", "risky", "safe")


@dataclass
class Finding:
    """One classified change of one resource (or one of its properties)."""

    level: Level
    #: A stable machine code, e.g. ``key-schema-changed`` or ``pitr-disabled``.
    change: str
    #: The stack's display name, ``Prod/AuxeiraData``.
    stack: str
    #: The stage's name (``prod``), or None for a stack outside a stage.
    stage: str | None
    logical_id: str
    resource_type: str
    #: The catalog table name (the ``table`` tag), when known.
    table: str | None
    reason: str
    #: The CloudFormation stack name, ``auxeira-prod-data``.
    stack_name: str = ""
    #: Extra machine-readable detail, e.g. the new logical ID of a renamed table.
    detail: dict[str, Any] = field(default_factory=dict)
    acknowledged: bool = False
    acknowledgement: str | None = None
    #: A destructive change on a protected stage that no acknowledgement covers.
    blocking: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("level")
        return data


@dataclass
class SecurityChange:
    """IAM statements of one role (or unattached policy) added, removed or broadened."""

    change: Literal["added", "removed", "broadened"]
    stack: str
    stage: str | None
    #: The role's logical ID (or the policy's, when no role is attached).
    logical_id: str
    role: str
    #: The policy resources the statements come from.
    policies: list[str]
    effect: str
    actions: list[str]
    resources: list[str]
    wildcard: bool
    reason: str
    table: str | None = None
    #: The CloudFormation stack name, ``auxeira-prod-access``.
    stack_name: str = ""
    #: What the change newly allows through wildcards (``dynamodb:* on *``, a NotAction, an AWS
    #: managed policy), one entry per grant; empty for a removal.
    wildcards: list[str] = field(default_factory=list)
    #: Principals outside the account that the change newly lets assume the role, with why.
    open_trust: list[str] = field(default_factory=list)
    acknowledged: bool = False
    acknowledgement: str | None = None
    #: Wildcards or open trust on a protected stage that no acknowledgement covers.
    blocking: bool = False

    @property
    def opens(self) -> bool:
        """Grants a wildcard or opens the trust policy beyond the account: blocks on a protected stage."""
        return bool(self.wildcards or self.open_trust)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    base: str
    head: str
    stage: str | None
    findings: list[Finding]
    security: list[SecurityChange]
    cost_delta: dict[str, Any]
    #: Acknowledgements that matched no destructive finding (probably stale).
    unused_acknowledgements: list[dict[str, str]] = field(default_factory=list)

    def by_level(self, level: Level) -> list[Finding]:
        return [f for f in self.findings if f.level == level]

    @property
    def blocking(self) -> list[Finding | SecurityChange]:
        """Unacknowledged destructive findings and security changes (wildcards, open trust) on a
        protected stage."""
        return [f for f in self.findings if f.blocking] + [s for s in self.security if s.blocking]

    @property
    def exit_code(self) -> int:
        return 1 if self.blocking else 0
