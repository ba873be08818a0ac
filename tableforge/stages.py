"""Per-stage settings: one frozen, keyword-only config per stage.

Constructs never ask "is this prod?"; they read these fields. Secure defaults
(PITR on, RETAIN and deletion protection where data matters) live here and
nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from tableforge.errors import StageError

RemovalPolicy = Literal["destroy", "retain"]
Encryption = Literal["dynamo_owned", "aws_managed", "customer_managed"]


@dataclass(frozen=True, kw_only=True)
class StageConfig:
    """Everything that differs between dev, staging and prod."""

    #: Lower-case stage name used in physical names: auxeira-users-<name>.
    name: str
    #: The CDK Stage construct ID, so stacks are addressed as '<construct_id>/*'.
    construct_id: str
    #: Protected stages block destructive changes in review and keep data.
    protected: bool
    removal_policy: RemovalPolicy
    deletion_protection: bool
    #: CloudFormation termination protection on the data stacks.
    termination_protection: bool
    #: Point-in-time recovery on every table (a spec may opt out explicitly).
    pitr: bool = True
    #: PITR recovery window, 1-35 days (DynamoDB's range).
    pitr_recovery_days: int = 35
    encryption: Encryption = "aws_managed"
    #: For customer_managed: an existing key's ARN. Without one, the data stack
    #: creates a key (rotation on, retained) per system and stage.
    customer_managed_key_arn: str | None = None
    #: Replica regions, turning every table into a multi-region global table.
    replica_regions: tuple[str, ...] = ()
    #: For customer_managed keys with replicas: region -> key ARN in that region.
    replica_key_arns: tuple[tuple[str, str], ...] = ()
    #: Cost guard on on-demand tables: DynamoDB throttles above these.
    on_demand_max_read_request_units: int | None = None
    on_demand_max_write_request_units: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.pitr_recovery_days <= 35:
            raise StageError(
                f"pitr_recovery_days is {self.pitr_recovery_days}; DynamoDB allows 1-35",
                item=f"stage '{self.name}'",
                field="pitr_recovery_days",
            )
        if self.replica_key_arns and self.encryption != "customer_managed":
            raise StageError(
                "replica_key_arns only apply to customer_managed encryption",
                item=f"stage '{self.name}'",
                field="replica_key_arns",
            )
        if self.encryption == "customer_managed" and self.replica_regions:
            missing = set(self.replica_regions) - {region for region, _ in self.replica_key_arns}
            if missing:
                raise StageError(
                    f"customer_managed encryption with replicas needs a key ARN per replica region; "
                    f"missing {sorted(missing)}",
                    item=f"stage '{self.name}'",
                    field="replica_key_arns",
                )

    def with_changes(self, **changes: object) -> StageConfig:
        """A copy with some fields changed (the config itself is frozen)."""
        return replace(self, **changes)  # type: ignore[arg-type]


DEV = StageConfig(
    name="dev",
    construct_id="Dev",
    protected=False,
    removal_policy="destroy",
    deletion_protection=False,
    termination_protection=False,
    pitr_recovery_days=7,
    # AWS-owned keys cost nothing; dev holds no real data.
    encryption="dynamo_owned",
    # A runaway loop in dev should throttle, not bill.
    on_demand_max_read_request_units=200,
    on_demand_max_write_request_units=100,
)

STAGING = StageConfig(
    name="staging",
    construct_id="Staging",
    protected=True,
    removal_policy="retain",
    deletion_protection=True,
    termination_protection=True,
    pitr_recovery_days=14,
    encryption="aws_managed",
    on_demand_max_read_request_units=1000,
    on_demand_max_write_request_units=500,
)

PROD = StageConfig(
    name="prod",
    construct_id="Prod",
    protected=True,
    removal_policy="retain",
    deletion_protection=True,
    termination_protection=True,
    pitr_recovery_days=35,
    encryption="aws_managed",
)

STAGES: dict[str, StageConfig] = {s.name: s for s in (DEV, STAGING, PROD)}


def get_stage(name: str, *, source: str | None = None) -> StageConfig:
    """The config of stage ``name``, or a clear error listing the known stages."""
    try:
        return STAGES[name]
    except KeyError:
        raise StageError(
            f"unknown stage '{name}'; known stages: {', '.join(STAGES)}", file=source, field="stage"
        ) from None


def select_stages(names: str | None, *, source: str | None = None) -> list[StageConfig]:
    """Stages from a comma-separated list (context ``stages``), all of them when empty."""
    if not names:
        return list(STAGES.values())
    return [get_stage(n.strip(), source=source) for n in names.split(",") if n.strip()]

