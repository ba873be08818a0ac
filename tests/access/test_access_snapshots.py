"""One syrupy snapshot per access stack: a reviewable record of every permission change.

Behaviour is pinned by test_roles.py; the snapshot makes any policy diff visible in review.
Update deliberately with `pytest tests/access --snapshot-update` and read the diff.
"""

from __future__ import annotations

import pytest

from tests.conftest import Synthesized

ACCESS_STACKS = [
    f"{stage}/{system}Access"
    for stage in ("Dev", "Staging", "Prod")
    for system in ("Auxeira", "Stackpro", "Transcription")
]


@pytest.mark.parametrize("stack", ACCESS_STACKS)
def test_access_stack_snapshot(synth: Synthesized, stack: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    assert synth.template(stack) == snapshot
