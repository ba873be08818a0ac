"""Shared fixtures. The app is synthesized once per session; tests read its templates."""

from __future__ import annotations

import gc
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tableforge.assembly import StackTemplate, read_assembly
from tableforge.cdk_env import apply_cdk_env
from tests import background

# Before aws_cdk is imported: silence jsii's Node banner, keep everything offline.
# Child processes started by tests inherit these through os.environ.
apply_cdk_env()

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
#: A fixed, obviously fake environment so snapshots do not depend on the machine.
TEST_ACCOUNT = "111111111111"
TEST_REGION = "us-east-1"


@dataclass
class Synthesized:
    """The synthesized app: its Stage objects and every stack's template."""

    app: Any
    stages: dict[str, Any]
    catalog: Any
    outdir: Path
    #: Every stack of the assembly on disk, as the tools read it.
    stacks: list[StackTemplate]
    #: "Prod/AuxeiraData" -> template dict.
    templates: dict[str, dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.templates = {stack.display_name: stack.template for stack in self.stacks}

    def template(self, display_name: str) -> dict[str, Any]:
        return self.templates[display_name]

    def tables(self, stage: str | None = None) -> list[tuple[str, str, dict[str, Any]]]:
        """(stack display name, logical id, raw resource) for every table (the read model's), optionally one
        stage (its construct ID, ``Prod``)."""
        return [
            (stack.display_name, table.logical_id, table.resource)
            for stack in self.stacks
            if stage is None or stack.display_name.startswith(stage + "/")
            for table in stack.table_models()
        ]


def synthesize(outdir: Path, *, builtin_validation: bool = True, **context: Any) -> Synthesized:
    """Build and synthesize the app in-process, as app.py does, with ``context``.

    ``builtin_validation=False`` skips CDK's CloudFormation validation plugin, for
    tests about structure (counts, sizes, IDs) on very large generated apps; the
    real app is validated by it in the session synth and by cfn-lint.
    """
    from aws_cdk import App

    from stacks.wiring import build_app, load_app_catalog
    from tableforge.settings import AppSettings

    # cdk.json's context (the feature flags) as `cdk synth` passes it, so tests see the real app.
    cdk_json = json.loads((ROOT / "cdk.json").read_text()).get("context", {})
    ctx = {**cdk_json, "account": TEST_ACCOUNT, "region": TEST_REGION, **context}
    app = App(outdir=str(outdir), context=ctx, builtin_cloud_formation_validation=builtin_validation)
    settings = AppSettings.from_context(app.node.try_get_context, environ={})
    catalog = load_app_catalog(settings)
    stages = build_app(app, settings, catalog)
    app.synth()
    return Synthesized(app=app, stages=stages, catalog=catalog, outdir=outdir, stacks=read_assembly(outdir))


def from_disk(outdir: Path) -> Synthesized:
    """An assembly another process synthesized (tests/background.py): its templates, as the tools
    read them, without the app's Python objects."""
    return Synthesized(app=None, stages={}, catalog=None, outdir=outdir, stacks=read_assembly(outdir))


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The default app (every stage, catalog/, flags off), synthesized once."""
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        synthesized = synthesize(tmp_path_factory.mktemp("cdk.out"))
    finally:
        os.chdir(cwd)
    background.synthesized(synthesized.outdir)
    _freeze_heap()
    return synthesized


def _freeze_heap() -> None:
    """Move everything alive now (aws-cdk-lib's modules, the app's objects) out of the cyclic
    garbage collector's reach. Each full collection walks the whole heap; with the session synth
    on it, the JSON-heavy review tests spent half their time there (3.2 s of calls instead of 6.0 s
    for tests/review/test_safeguards.py, measured)."""
    gc.collect()
    gc.freeze()


def pytest_collection_finish(session: pytest.Session) -> None:
    background.collection_finished({str(Path(item.path).resolve()) for item in session.items})
    _freeze_heap()  # every test module and what it imports


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    background.shutdown(interrupted=exitstatus == pytest.ExitCode.INTERRUPTED)
