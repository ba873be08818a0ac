"""Synthetic demo data following 003's generator: industry, stage and ESG patterns.

Every item has ``is_synthetic = true`` and an ``expires_at`` TTL (epoch seconds),
so DynamoDB deletes it, as 003's cleanup_expired_synthetic_data intended. Items
carry no seed marker, so ``load --prune`` never touches them.

The same ``--seed`` gives the same items, so a re-run writes nothing: the only thing
that moves between runs is ``expires_at`` (now + --ttl-days), and an expiry that moved
by less than a day (``TTL_SLACK``) is not a change (TTL deletes within days anyway).
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from seed.datafiles import SeedError, Source
from tableforge.catalog import Catalog

#: 003 AdvancedSyntheticDataGenerator.industry_patterns (SaaS is its fallback).
INDUSTRY_PATTERNS: dict[str, dict[str, Any]] = {
    "AI/ML": {
        "revenue_multiple": 15,
        "growth_rate_range": (0.6, 1.2),
        "burn_rate_multiple": 0.8,
        "employee_efficiency": 250000,
        "sse_score_bias": 10,
    },
    "SaaS": {
        "revenue_multiple": 12,
        "growth_rate_range": (0.4, 0.8),
        "burn_rate_multiple": 0.6,
        "employee_efficiency": 200000,
        "sse_score_bias": 5,
    },
    "Fintech": {
        "revenue_multiple": 10,
        "growth_rate_range": (0.5, 0.9),
        "burn_rate_multiple": 0.7,
        "employee_efficiency": 300000,
        "sse_score_bias": 8,
    },
}
#: 003 generate_esg_metrics.esg_baselines: the industries we draw from.
ESG_BASELINES = {
    "AI/ML": {"E": 65, "S": 70, "G": 75},
    "SaaS": {"E": 70, "S": 75, "G": 80},
    "Fintech": {"E": 60, "S": 65, "G": 85},
    "Healthcare": {"E": 55, "S": 85, "G": 75},
    "Clean Energy": {"E": 90, "S": 70, "G": 70},
}
#: 003 generate_investment_performance.stage_performance.
STAGE_PERFORMANCE = {
    "pre-seed": {"base_irr": 0.25, "success_rate": 0.15, "time_to_exit": 7},
    "seed": {"base_irr": 0.22, "success_rate": 0.20, "time_to_exit": 6},
    "series-a": {"base_irr": 0.18, "success_rate": 0.30, "time_to_exit": 5},
    "series-b": {"base_irr": 0.15, "success_rate": 0.40, "time_to_exit": 4},
}
#: 003 calls _get_stage_revenue(stage) without defining it: starting MRR per stage (USD).
STAGE_MRR = {"pre-seed": 5_000, "seed": 25_000, "series-a": 120_000, "series-b": 450_000}
MONTHS = 12  # 003 generates 12 months of trajectory and ESG history

TABLES = ("startup-profiles", "esg-metrics", "investments")
#: Seconds an existing item's expires_at may differ from a re-run's and still be unchanged.
TTL_SLACK = 86400


@dataclass
class SyntheticSource(Source):
    """A generated source; the loader compares its TTL with ``ttl_slack``."""

    ttl_slack: float = TTL_SLACK


def _money(value: float) -> Decimal:
    return Decimal(repr(round(value, 2)))


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def generate(count: int, *, seed: int, now: float, ttl_days: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """(table, item) pairs: per company a profile, 12 months of ESG metrics, one investment."""
    rng = random.Random(seed)
    expires_at = int(now) + ttl_days * 86400
    today = time.strftime("%Y-%m-%d", time.gmtime(now))
    common = {"is_synthetic": True, "expires_at": expires_at}
    for _ in range(count):
        company_id, founder_id, investor_id = _uuid(rng), _uuid(rng), _uuid(rng)
        industry = rng.choice(list(ESG_BASELINES))
        stage = rng.choice(list(STAGE_PERFORMANCE))
        pattern = INDUSTRY_PATTERNS.get(industry, INDUSTRY_PATTERNS["SaaS"])
        growth = rng.uniform(*pattern["growth_rate_range"])
        mrr = STAGE_MRR[stage] * rng.uniform(0.6, 1.4)
        employees = max(2, int(mrr * 12 / pattern["employee_efficiency"] * rng.uniform(2, 4)))
        burn = mrr * 0.8 + employees * 8000  # 003: revenue * 0.8 + employees * 8000
        funding = mrr * 12 * rng.uniform(1.5, 4)
        runway = int(funding / burn)
        sse = max(
            0, min(100, int(50 + pattern["sse_score_bias"] + growth * 20 + min(runway, 24) / 2 + rng.uniform(-10, 10)))
        )
        valuation = mrr * 12 * pattern["revenue_multiple"]
        yield (
            "startup-profiles",
            {
                "PK": f"STARTUP#{company_id}",
                "SK": "PROFILE",
                "startup_id": company_id,
                "user_id": founder_id,
                "company_name": f"Synthetic {industry.split('/')[0]} {company_id[:6]}",
                "industry": industry,
                "stage": stage,
                "mrr": _money(mrr),
                "arr": _money(mrr * 12),
                "growth_rate": _money(growth * 100),
                "team_size": employees,
                "burn_rate": _money(burn),
                "runway_months": runway,
                "sse_score": sse,
                "current_valuation": _money(valuation),
                "funding_raised": _money(funding),
                **common,
            },
        )
        baseline = ESG_BASELINES[industry]
        for month in range(MONTHS):
            lift = month * 0.5 + rng.uniform(-3, 5)  # 003: gradual improvement, more upside
            e, s, g = (min(100.0, baseline[p] + lift) for p in "ESG")
            yield (
                "esg-metrics",
                {
                    "id": _uuid(rng),
                    "company_id": company_id,
                    "metric_date": f"{today[:4]}-{month + 1:02d}-01",
                    "environmental_score": int(e),
                    "social_score": int(s),
                    "governance_score": int(g),
                    "overall_esg_score": int((e + s + g) / 3),
                    "carbon_footprint": _money(employees * rng.uniform(2, 5)),
                    "energy_consumption": _money(employees * rng.uniform(3000, 8000)),
                    "renewable_energy_percentage": _money(min(100, rng.uniform(20, 80))),
                    "employees_trained": int(employees * rng.uniform(0.6, 0.9)),
                    "diversity_score": int(rng.uniform(60, 85)),
                    **common,
                },
            )
        perf = STAGE_PERFORMANCE[stage]
        amount = funding * rng.uniform(0.1, 0.4)
        yield (
            "investments",
            {
                "id": _uuid(rng),
                "investor_id": investor_id,
                "company_id": company_id,
                "investment_round": stage,
                "amount": _money(amount),
                "post_money_valuation": _money(valuation),
                "irr": _money(perf["base_irr"] * 100 * rng.uniform(0.5, 1.5)),
                "status": "active",
                "investment_date": today,
                **common,
            },
        )


def sources(catalog: Catalog, system: str, *, count: int, seed: int, ttl_days: int) -> list[Source]:
    if system != "auxeira":
        raise SeedError("synthetic data follows 003's generator, which is auxeira's", field="--system")
    if count < 1:
        raise SeedError("--count must be at least 1", field="--count")
    now = time.time()
    tables = catalog.tables(system)
    out: list[Source] = []
    for table in TABLES:

        def items(table: str = table) -> Iterator[tuple[int, Any]]:
            index = 0
            for name, item in generate(count, seed=seed, now=now, ttl_days=ttl_days):
                if name == table:
                    yield index, item
                    index += 1

        out.append(
            SyntheticSource(system=system, table=table, spec=tables[table], display=f"synthetic:{table}", items=items)
        )
    return out
