"""Synth speed: the whole app against a one-TableV2 app, in one run on one machine.

    .venv/bin/python bench/synth.py [--runs 3] [--growth 50,100,250,500]

Each measurement is a fresh process (`python app.py` as the CDK CLI runs it, with
CDK_OUTDIR set), so both sides pay the same Python + jsii start-up. Runs are
interleaved so a busy moment hurts both sides alike. Prints the medians and the
ratio (target: full / minimal <= 3), then how synth time grows with the number
of tables in one system, synthesized for all three stages.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tableforge import generate  # noqa: E402
from tableforge.cdk_env import cdk_env  # noqa: E402

ENV = cdk_env(CDK_DEFAULT_REGION=os.environ.get("CDK_DEFAULT_REGION", "us-east-1"))


def timed(script: str, context: dict[str, object] | None = None) -> float:
    with tempfile.TemporaryDirectory() as outdir:
        env = {**ENV, "CDK_OUTDIR": outdir, "CDK_CONTEXT_JSON": json.dumps(context or {})}
        start = time.perf_counter()
        subprocess.run([sys.executable, script], cwd=ROOT, env=env, check=True)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--growth", default="50,100,250,500", help="table counts to time ('' to skip)")
    args = parser.parse_args()

    full, minimal = [], []
    for _ in range(args.runs):
        minimal.append(timed("bench/minimal_app.py"))
        full.append(timed("app.py"))
    m_full, m_min = statistics.median(full), statistics.median(minimal)
    print(f"minimal app (1 TableV2, 1 stack):          median {m_min:6.2f} s  runs {[round(t, 2) for t in minimal]}")
    print(f"full app (36 tables x 3 stages, all stacks): median {m_full:6.2f} s  runs {[round(t, 2) for t in full]}")
    print(f"ratio full / minimal: {m_full / m_min:.2f}x (target <= 3x)")

    counts = [int(c) for c in args.growth.split(",") if c.strip()]
    if counts:
        print("\ngrowth: one generated system, all three stages")
        previous = None
        for count in counts:
            with tempfile.TemporaryDirectory() as catalog_dir:
                generate.write(generate.generate(count, per_stack=50), Path(catalog_dir))
                seconds = timed("app.py", {"catalog_dir": catalog_dir})
            per_table = (seconds - m_min) / (count * 3) * 1000
            step = f"  (+{seconds - previous[1]:.2f} s for +{count - previous[0]} tables)" if previous else ""
            print(
                f"  {count:4d} tables x 3 stages: {seconds:6.2f} s, {per_table:5.1f} ms per table-stage above the minimal app{step}"
            )
            previous = (count, seconds)


if __name__ == "__main__":
    main()
