"""Per-stage settings: one frozen, keyword-only config per stage.

Constructs never ask "is this prod?"; they read these fields. Secure defaults
(PITR on, RETAIN and deletion protection where data matters) live here and
nowhere else.

The configs are pydantic models: every field is checked when a config is built
(or changed with ``with_changes``), and a bad value is one StageError naming the
stage or "monitoring" and the field, rendered like a catalog error.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    ValidationError,
    field_validator,
    model_validator,
)

from tableforge.catalog.render import FieldError, Where, render_validation_error
from tableforge.errors import StageError

RemovalPolicy = Literal["destroy", "retain"]
Encryption = Literal["dynamo_owned", "aws_managed", "customer_managed"]


#: The DynamoDB operations the seed documents use (000-004); SystemErrors are
#: published per operation, so the alarm sums these with metric math.
SEED_OPERATIONS = (
    "GetItem",
    "BatchGetItem",
    "Query",
    "Scan",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
)
#: CloudWatch: an alarm's metric math may reference at most 10 metrics (a hard limit).
MAX_METRICS_PER_ALARM = 10
SubscriptionProtocol = Literal["email", "https"]


class _Config(BaseModel):
    """Frozen and keyword-only; a bad field is one StageError, never a pydantic traceback.

    Subclasses check single fields with field validators and fields together in
    ``_check`` (raising FieldError), so that both run inside ``_one_error``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def _where(cls, data: Any) -> Where:
        """Where this config's errors are, from the data it is built from."""
        raise NotImplementedError

    def _check(self) -> None:
        """Rules across fields; raise FieldError naming the field."""

    @model_validator(mode="after")
    def _rules(self) -> Self:
        self._check()
        return self

    @model_validator(mode="wrap")
    @classmethod
    def _one_error(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        try:
            return handler(data)
        except ValidationError as exc:
            raise render_validation_error(exc, cls, cls._where(data), error=StageError) from None

    def with_changes(self, **changes: object) -> Self:
        """A copy with some fields changed (the config itself is frozen), checked again."""
        return self.model_validate({**dict(self), **changes})


class Subscription(_Config):
    """One endpoint of a system's alarm topic: an email address or an HTTPS URL.

    The endpoint is checked against the protocol where it is used, in MonitoringConfig.
    """

    protocol: SubscriptionProtocol
    endpoint: str

    @classmethod
    def _where(cls, data: Any) -> Where:
        return Where(item="subscription")


def _endpoint_fits_protocol(sub: Subscription) -> Subscription:
    if sub.protocol == "https" and not sub.endpoint.startswith("https://"):
        raise ValueError(f"an https subscription needs an https:// URL, got {sub.endpoint!r}")
    if sub.protocol == "email" and "@" not in sub.endpoint:
        raise ValueError(f"not an email address: {sub.endpoint!r}")
    return sub


def _fits_one_alarm(operations: tuple[str, ...]) -> tuple[str, ...]:
    # One metric per operation plus nothing else: stay within the 10-metric limit.
    if not 1 <= len(operations) <= MAX_METRICS_PER_ALARM:
        raise ValueError(f"{len(operations)} operations; one alarm may use 1-{MAX_METRICS_PER_ALARM} metrics")
    return operations


#: The DynamoDB operations one alarm sums with metric math.
AlarmOperations = Annotated[tuple[str, ...], AfterValidator(_fits_one_alarm)]


class MonitoringConfig(_Config):
    """Alarm thresholds and topic subscriptions of one stage (issue 3); budgets are in the catalog.

    The defaults come from the seeds and from AWS guidance; each is explained
    where it is declared, and README "Operations" lists them.
    """

    #: Email/HTTPS endpoints of every system's alarm topic; the topic exists without any.
    subscriptions: tuple[Annotated[Subscription, AfterValidator(_endpoint_fits_protocol)], ...] = ()
    #: 000's "DynamoDB-HighReadThrottle": Sum of throttle events over 300 s above 0.
    throttle_threshold: float = 0
    throttle_period_seconds: int = 300
    throttle_evaluation_periods: int = 1
    #: AWS: occasional HTTP 500s are expected and retried; alarm only when they persist
    #: (errors in each of 3 consecutive 5-minute periods).
    system_errors_threshold: float = 0
    system_errors_evaluation_periods: int = 3
    system_error_operations: AlarmOperations = SEED_OPERATIONS
    #: SuccessfulRequestLatency supports percentiles (DynamoDB metrics reference):
    #: p90 of the main operations, sustained for 3 x 5 minutes (AWS: single spikes
    #: are normal). 000 targets "response times under 100ms" end to end; DynamoDB
    #: gets half of that.
    latency_statistic: str = "p90"
    latency_threshold_ms: float = 50
    latency_evaluation_periods: int = 3
    latency_operations: AlarmOperations = ("GetItem", "Query", "PutItem", "UpdateItem")
    #: Provisioned tables: consumed / provisioned above this, 3 x 5 minutes. Above the
    #: 70% autoscaling target, so it fires only when scaling cannot keep up.
    utilization_threshold_percent: float = 80
    utilization_evaluation_periods: int = 3
    #: On-demand tables with a max: consumed request units per second above this
    #: share of the cap for 5 consecutive minutes; at 100% DynamoDB throttles.
    on_demand_cap_share_percent: float = 80
    on_demand_cap_evaluation_periods: int = 5
    #: Global tables: average ReplicationLatency per receiving region, 3 x 5 minutes.
    replication_latency_threshold_ms: float = 60_000
    replication_latency_evaluation_periods: int = 3

    @classmethod
    def _where(cls, data: Any) -> Where:
        return Where(item="monitoring")

    @field_validator("latency_statistic")
    @classmethod
    def _statistic(cls, value: str) -> str:
        if not (value == "Average" or _is_percentile(value)):
            raise ValueError(f"use 'Average' or a percentile such as 'p90', got {value!r}")
        return value

    @field_validator("on_demand_cap_share_percent")
    @classmethod
    def _cap_share(cls, value: float) -> float:
        if not 0 < value <= 100:
            raise ValueError("a share of the cap is 1-100 percent")
        return value

    @field_validator("utilization_threshold_percent")
    @classmethod
    def _utilization(cls, value: float) -> float:
        if not 0 < value <= 100:
            raise ValueError("utilization is 1-100 percent")
        return value

    @field_validator("throttle_period_seconds")
    @classmethod
    def _whole_minutes(cls, value: int) -> int:
        if value % 60:
            raise ValueError("DynamoDB metrics are per minute: use a multiple of 60 seconds")
        return value


def _is_percentile(statistic: str) -> bool:
    try:
        return statistic.startswith("p") and 0 < float(statistic[1:]) < 100
    except ValueError:
        return False


class StageConfig(_Config):
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
    #: Alarms, the alarm topic's subscriptions and budgets (issue 3).
    monitoring: MonitoringConfig = MonitoringConfig()

    @classmethod
    def _where(cls, data: Any) -> Where:
        name = data.get("name") if isinstance(data, dict) else getattr(data, "name", None)
        return Where(item=f"stage '{name}'" if isinstance(name, str) else "stage")

    @field_validator("pitr_recovery_days")
    @classmethod
    def _recovery_window(cls, value: int) -> int:
        if not 1 <= value <= 35:
            raise ValueError(f"pitr_recovery_days is {value}; DynamoDB allows 1-35")
        return value

    def _check(self) -> None:
        if self.replica_key_arns and self.encryption != "customer_managed":
            raise FieldError("replica_key_arns only apply to customer_managed encryption", "replica_key_arns")
        if self.encryption == "customer_managed" and self.replica_regions:
            missing = set(self.replica_regions) - {region for region, _ in self.replica_key_arns}
            if missing:
                raise FieldError(
                    f"customer_managed encryption with replicas needs a key ARN per replica region; "
                    f"missing {sorted(missing)}",
                    "replica_key_arns",
                )


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
    # Dev shares hosts with experiments: the latency alarm gets 000's whole 100 ms budget.
    monitoring=MonitoringConfig(latency_threshold_ms=100),
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
