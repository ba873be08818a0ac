"""The stable entry point other tools call (the CI review diff, the synth summary).

    from cost.api import estimate_assembly
    result = estimate_assembly("cdk.out", usage_dir=None, stage="prod")

``result`` is exactly what ``python -m cost estimate --format json`` prints:

- ``tables``: one entry per table with ``logical_id``, ``system``, ``table``,
  ``stage`` (``dev``/``staging``/``prod``), ``stack`` (``Prod/AuxeiraData``),
  and either ``monthly_usd`` or, for autoscaled capacity, ``monthly_usd_min``
  and ``monthly_usd_max``; plus ``components`` (reads, writes, storage, pitr,
  ``gsi <name>``, ``replica <region>``, streams), each with the same money keys
  and a ``detail`` showing the arithmetic.
- ``monitoring`` (per system and stage: CloudWatch alarm metrics, composites,
  dashboards, Application Auto Scaling's alarms, KMS keys, SNS, budgets) and
  ``monitoring_monthly_usd`` (or ``_min``/``_max``).
- ``totals`` (per system and stage), ``stage_totals``, and ``total_monthly_usd``
  or ``total_monthly_usd_min``/``total_monthly_usd_max``.
- ``free_tier`` (per stage, negative amounts, never subtracted from the totals).
- ``skipped`` (what has no price, or an intrinsic where a number is needed),
  ``unpriced`` (what a region without prices left out: ``stack``, ``logical_id``,
  ``system``, ``table``, ``stage``, ``what``, ``region``, ``reason``; a table entry
  lists its own under ``unpriced`` too), ``no_charge``, ``price_date``, ``assumptions``.
- A table that depends on template conditions has ``billing_mode`` of its branches
  (``conditional`` when they differ), a min-max range over them and ``branches``.

**Money is always a decimal string** (USD per month, exact to $0.0001), e.g.
``"12.3450"``; parse it with ``decimal.Decimal``, never float, to subtract two
estimates to the cent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cost.estimate import DEFAULT_REGION, estimate_stacks
from cost.prices import load_price_book
from cost.usage import load_usage_dir
from tableforge.assembly import read_assembly


def estimate_assembly(
    cdk_out_dir: Path | str,
    usage_dir: Path | str | None = None,
    stage: str | None = None,
    *,
    prices: Path | str | None = None,
    default_region: str = DEFAULT_REGION,
    strict_usage: bool = True,
) -> dict[str, Any]:
    """Price every stack of a cloud assembly; ``usage_dir`` None means the default usage/ profiles.

    Raises TableforgeError on bad input (no assembly, a bad usage file, an unpriced region).
    Pass ``strict_usage=False`` to price an older assembly (a diff's base) with today's
    profiles: entries naming tables it does not have become assumptions, not errors.
    """
    stacks = read_assembly(cdk_out_dir)
    result = estimate_stacks(
        stacks,
        book=load_price_book(prices),
        usage_files=load_usage_dir(usage_dir),
        stage=stage,
        default_region=default_region,
        strict_usage=strict_usage,
    )
    result["stage"] = stage
    return result
