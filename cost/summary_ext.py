"""Adds each system's and stage's monthly estimate to the `make synth` summary.

tableforge.summary.summarize() calls :func:`add_monthly_estimate`. It uses the
default usage/ profiles and the shipped price file; a problem there is shown in
the summary instead of failing the synth.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tableforge.assembly import StackTemplate
from tableforge.errors import TableforgeError

if TYPE_CHECKING:  # tableforge.summary imports this module
    from tableforge.summary import SystemStage

LABEL = "est. monthly"


def add_monthly_estimate(stacks: list[StackTemplate], groups: dict[tuple[str, str], SystemStage]) -> None:
    from cost.estimate import estimate_stacks
    from cost.prices import load_price_book
    from cost.render import amount
    from cost.usage import load_usage_dir

    try:
        book = load_price_book()
        result = estimate_stacks(stacks, book=book, usage_files=load_usage_dir())
    except TableforgeError as error:
        for group in groups.values():
            group.extra[LABEL] = f"unavailable ({error})"
        return
    per_group = {(t["system"], t["stage"]): t for t in result["totals"]}
    per_stage = {s["stage"]: s for s in result["stage_totals"]}
    for key, group in groups.items():
        if key in per_group:
            stage_total = per_stage[key[1]]
            group.extra[LABEL] = (
                f"{amount(per_group[key])} (stage {key[1]} {amount(stage_total)}, prices {book.price_date})"
            )
