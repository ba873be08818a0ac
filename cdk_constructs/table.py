"""One catalog table spec plus one stage config, as a DynamoDB TableV2."""

from __future__ import annotations

from functools import cache

from aws_cdk import CfnOutput, CfnTag, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from tableforge.catalog import Gsi, KeyAttribute, TableSpec
from tableforge.resolve import ResolvedTable, resolve_table
from tableforge.stages import StageConfig

_ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
_STREAMS = {
    "keys_only": dynamodb.StreamViewType.KEYS_ONLY,
    "new_image": dynamodb.StreamViewType.NEW_IMAGE,
    "old_image": dynamodb.StreamViewType.OLD_IMAGE,
    "new_and_old_images": dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
}
_TABLE_CLASSES = {
    "standard": dynamodb.TableClass.STANDARD,
    "standard_ia": dynamodb.TableClass.STANDARD_INFREQUENT_ACCESS,
}
_REMOVAL = {"destroy": RemovalPolicy.DESTROY, "retain": RemovalPolicy.RETAIN}
#: Autoscaling target for provisioned writes; AWS's console default.
WRITE_TARGET_UTILIZATION_PERCENT = 70


class CatalogTable(Construct):
    """A catalog table as a ``TableV2``, with the stage's secure defaults.

    Defaults, all read from ``stage`` unless the spec says otherwise:

    * physical name ``<system>-<table>-<stage>``; a fixed name also makes
      CloudFormation refuse a silent replacement;
    * point-in-time recovery on, with the stage's recovery window
      (a spec may set ``pitr: false`` explicitly);
    * the stage's removal policy and deletion protection;
    * the stage's encryption (``encryption_key`` for customer-managed keys);
    * on-demand tables capped at the stage's max request units, if any;
    * provisioned tables: fixed reads, writes autoscaled from the spec's
      ``write`` (minimum) to ``write_max`` at 70% utilization, GSIs likewise;
    * the tags ``system``, ``table`` and ``stage``;
    * name and ARN published as CfnOutputs and SSM parameters under
      ``/<system>/<stage>/dynamodb/<table>`` (003's ``/auxeira/<stage>/...`` layout).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        system: str,
        name: str,
        spec: TableSpec,
        stage: StageConfig,
        encryption_key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.system = system
        self.name = name
        self.spec = spec
        #: Names, tags, PITR and caps of this table in this stage, resolved once.
        self.resolved: ResolvedTable = resolve_table(system, name, stage, pitr=spec.pitr)
        self.physical_name = self.resolved.physical_name
        #: Also the cost-allocation tags budgets filter on.
        self.tags = self.resolved.tags

        self.table = dynamodb.TableV2(
            self,
            "Table",
            table_name=self.physical_name,
            partition_key=_attribute(spec.partition_key),
            sort_key=_attribute(spec.sort_key) if spec.sort_key else None,
            billing=_billing(spec, self.resolved),
            global_secondary_indexes=[_gsi(g, spec) for g in spec.gsis] or None,
            time_to_live_attribute=spec.ttl,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=self.resolved.pitr,
                recovery_period_in_days=self.resolved.pitr_recovery_days,
            ),
            deletion_protection=stage.deletion_protection,
            removal_policy=_REMOVAL[stage.removal_policy],
            encryption=_encryption(stage, encryption_key),
            table_class=_TABLE_CLASSES[spec.table_class],
            dynamo_stream=_STREAMS[spec.stream] if spec.stream else None,
            replicas=[dynamodb.ReplicaTableProps(region=r) for r in stage.replica_regions] or None,
            # Passed as props, not Tags.of(): one jsii round trip instead of six per table.
            tags=[CfnTag(key=k, value=v) for k, v in sorted(self.tags.items())],
        )

        # The name is known here; only the ARN needs the table's attribute.
        for label, value in (("Name", self.physical_name), ("Arn", self.table.table_arn)):
            CfnOutput(self, label, value=value, description=f"{self.physical_name} table {label.lower()}")
            ssm.CfnParameter(
                self,
                f"{label}Parameter",
                name=self.resolved.ssm_parameters[label.lower()],
                type="String",
                value=value,
                description=f"{self.physical_name} table {label.lower()} (tableforge)",
                tags=self.tags,
            )


def _attribute(key: KeyAttribute) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=key.name, type=_ATTRIBUTE_TYPES[key.type])


def _write_capacity(minimum: int, maximum: int) -> dynamodb.Capacity:
    return dynamodb.Capacity.autoscaled(
        min_capacity=minimum,
        max_capacity=maximum,
        target_utilization_percent=WRITE_TARGET_UTILIZATION_PERCENT,
    )


def _billing(spec: TableSpec, resolved: ResolvedTable) -> dynamodb.Billing:
    if spec.provisioned:
        assert spec.billing.read is not None and spec.billing.write is not None and spec.write_max
        return dynamodb.Billing.provisioned(
            read_capacity=dynamodb.Capacity.fixed(spec.billing.read),
            write_capacity=_write_capacity(spec.billing.write, spec.write_max),
        )
    return _on_demand(resolved.max_read_request_units, resolved.max_write_request_units)


@cache
def _on_demand(max_read: int | None, max_write: int | None) -> dynamodb.Billing:
    # Billing is an immutable value: one per distinct cap serves every table.
    return dynamodb.Billing.on_demand(max_read_request_units=max_read, max_write_request_units=max_write)


def _gsi(gsi: Gsi, table: TableSpec) -> dynamodb.GlobalSecondaryIndexPropsV2:
    if isinstance(gsi.projection, list):
        projection, non_key = dynamodb.ProjectionType.INCLUDE, gsi.projection
    elif gsi.projection == "keys_only":
        projection, non_key = dynamodb.ProjectionType.KEYS_ONLY, None
    else:
        projection, non_key = dynamodb.ProjectionType.ALL, None
    read_capacity = write_capacity = None
    if table.provisioned:
        # An index of a provisioned table needs its own capacity; without a
        # spec of its own it gets the table's.
        assert table.billing.read is not None and table.billing.write is not None and table.write_max
        cap = gsi.capacity
        read = cap.read if cap else table.billing.read
        write = cap.write if cap else table.billing.write
        write_max = cap.autoscaling_max if cap else table.write_max
        read_capacity = dynamodb.Capacity.fixed(read)
        write_capacity = _write_capacity(write, write_max)
    return dynamodb.GlobalSecondaryIndexPropsV2(
        index_name=gsi.name,
        partition_key=_attribute(gsi.partition_key),
        sort_key=_attribute(gsi.sort_key) if gsi.sort_key else None,
        projection_type=projection,
        non_key_attributes=non_key,
        read_capacity=read_capacity,
        write_capacity=write_capacity,
    )


def _encryption(stage: StageConfig, key: kms.IKey | None) -> dynamodb.TableEncryptionV2:
    if stage.encryption == "customer_managed":
        if key is None:
            raise ValueError("customer_managed encryption needs an encryption_key")
        return dynamodb.TableEncryptionV2.customer_managed_key(
            key, replica_key_arns=dict(stage.replica_key_arns) or None
        )
    return _shared_encryption(stage.encryption)


@cache
def _shared_encryption(kind: str) -> dynamodb.TableEncryptionV2:
    # Key-less encryption settings are immutable values, shared by every table.
    if kind == "aws_managed":
        return dynamodb.TableEncryptionV2.aws_managed_key()
    return dynamodb.TableEncryptionV2.dynamo_owned_key()
