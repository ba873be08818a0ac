"""The pristine assembly for review pairs: the session synth, copied once."""

from __future__ import annotations

import filecmp
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.review.pairs import Pair


@pytest.fixture(scope="session")
def pristine(synth, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    target = tmp_path_factory.mktemp("review") / "cdk.out"
    shutil.copytree(synth.outdir, target, ignore=shutil.ignore_patterns("tree.json"))
    yield target
    # Pairs hard-link these files: a test that wrote one in place would have changed every later pair.
    changed = [
        str(path.relative_to(target))
        for path in target.rglob("*")
        if path.is_file() and not filecmp.cmp(path, synth.outdir / path.relative_to(target), shallow=False)
    ]
    assert changed == [], f"the pristine assembly was written through a pair's hard link: {changed}"


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
