"""Builds the app's stages from settings; shared by app.py and the tests."""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import App, Environment

from cdk_constructs.monitoring import TableMetrics, table_alarms
from cdk_constructs.nag_packs import attach_nag, prepare_app
from stacks.stage import TableforgeStage
from tableforge.catalog import Catalog, load_catalog, name_inputs
from tableforge.resolve import check_names, granted_operations, resolve_table
from tableforge.settings import AppSettings
from tableforge.stages import STAGES, StageConfig


def load_app_catalog(settings: AppSettings) -> Catalog:
    """The validated catalog; raises CatalogError before any construct exists.

    Besides the catalog's own rules, every physical name the app would emit in any
    stage (stacks, tables, roles, topics, budgets, dashboards, alarms, SSM
    parameters) is checked against its AWS limit here, before synth.
    """
    catalog = load_catalog(settings.catalog_dir, flags=settings.flags, stage_names=STAGES)
    # The catalog loader checked every other name; alarm names come from the alarm rules.
    check_names(
        name_inputs(catalog),
        STAGES.values(),
        alarm_suffixes=lambda system, table, stage: _alarm_suffixes(catalog, system, table, stage),
    )
    return catalog


def _alarm_suffixes(catalog: Catalog, system: str, table: str, stage: StageConfig) -> Iterable[str]:
    spec = catalog.systems[system].tables[table]
    physical = resolve_table(system, table, stage, pitr=spec.pitr).physical_name
    operations = granted_operations(catalog.consumers(system)).get(table, frozenset())
    alarms = table_alarms(table=table, spec=spec, metrics=TableMetrics(physical), stage=stage, operations=operations)
    return [alarm.name for alarm in alarms]


def build_app(app: App, settings: AppSettings, catalog: Catalog) -> dict[str, TableforgeStage]:
    """One Stage per stage config, with cdk-nag and the GlobalTable rules on every stage."""
    prepare_app(app)
    env = Environment(account=settings.account, region=settings.region)
    stages = {
        config.name: TableforgeStage(app, config.construct_id, config=config, catalog=catalog, env=env)
        for config in settings.stages
    }
    attach_nag(app, ((stage, stage.config.protected, stage.config.name) for stage in stages.values()))
    return stages
