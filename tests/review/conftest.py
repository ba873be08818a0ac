"""The pristine assembly for review pairs: the session synth, copied once."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.review.pairs import Pair


@pytest.fixture(scope="session")
def pristine(synth, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    target = tmp_path_factory.mktemp("review") / "cdk.out"
    shutil.copytree(synth.outdir, target, ignore=shutil.ignore_patterns("tree.json"))
    return target


@pytest.fixture
def make_pair(pristine: Path, tmp_path: Path) -> Callable[[], Pair]:
    count = iter(range(100))

    def make() -> Pair:
        return Pair(pristine, tmp_path / f"pair{next(count)}")

    return make


@pytest.fixture
def no_acks(tmp_path: Path) -> Path:
    """An empty acknowledgements file, so the committed one never changes a test's verdict."""
    path = tmp_path / "acknowledged.yaml"
    path.write_text("acknowledged: []\n")
    return path
