"""One syrupy snapshot per data stack: a reviewable record of every template change.

Behaviour is pinned by the fine-grained tests; snapshots make refactors visible.
Update deliberately with `pytest --snapshot-update` and review the diff.
"""

from __future__ import annotations

import pytest

from tests.conftest import Synthesized

DATA_STACKS = [
    f"{stage}/{system}Data"
    for stage in ("Dev", "Staging", "Prod")
    for system in ("Auxeira", "Stackpro", "Transcription")
]


@pytest.mark.parametrize("stack", DATA_STACKS)
def test_data_stack_snapshot(synth: Synthesized, stack: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    assert synth.template(stack) == snapshot
