"""Builds the app's stages from settings; shared by app.py and the tests."""

from __future__ import annotations

from aws_cdk import App, Environment

from cdk_constructs.nag_packs import attach_nag, prepare_app
from stacks.stage import TableforgeStage
from tableforge.catalog import Catalog, load_catalog
from tableforge.settings import AppSettings
from tableforge.stages import STAGES


def load_app_catalog(settings: AppSettings) -> Catalog:
    """The validated catalog; raises CatalogError before any construct exists."""
    return load_catalog(settings.catalog_dir, flags=settings.flags, stage_names=STAGES)


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
