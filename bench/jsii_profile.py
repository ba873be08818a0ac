"""Count jsii round trips while building and synthesizing the app, by kind and target.

    .venv/bin/python bench/jsii_profile.py [--top 15]

Every Python -> Node call (create, get, set, invoke, static calls) is one round
trip through the jsii kernel's pipe. This wraps the kernel's `send` to count
them, and times the phases: import, construct, synth.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tableforge.cdk_env import apply_cdk_env  # noqa: E402

apply_cdk_env()

from jsii._kernel.providers import process  # noqa: E402

kinds: collections.Counter[str] = collections.Counter()
targets: collections.Counter[str] = collections.Counter()
_send = process._NodeProcess.send


def counting_send(self: Any, request: Any, response_type: Any) -> Any:
    kind = type(request).__name__.removesuffix("Request")
    kinds[kind] += 1
    target = getattr(request, "fqn", None) or getattr(request, "method", None) or getattr(request, "property", None)
    if target:
        targets[f"{kind} {target}"] += 1
    return _send(self, request, response_type)


process._NodeProcess.send = counting_send  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    t0 = time.perf_counter()
    from aws_cdk import App

    from stacks.wiring import build_app, load_app_catalog
    from tableforge.settings import AppSettings

    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as outdir:
        app = App(outdir=outdir, context={"region": os.environ.get("CDK_DEFAULT_REGION", "us-east-1")})
        settings = AppSettings.from_context(app.node.try_get_context, environ={})
        build_app(app, settings, load_app_catalog(settings))
        t2 = time.perf_counter()
        built = sum(kinds.values())
        app.synth()
        t3 = time.perf_counter()
    print(f"import {t1 - t0:.2f} s, construct {t2 - t1:.2f} s, synth {t3 - t2:.2f} s")
    print(f"round trips: {built} while constructing, {sum(kinds.values()) - built} during synth")
    print("by kind:", dict(kinds.most_common()))
    print(f"top {args.top} targets:")
    for target, count in targets.most_common(args.top):
        print(f"  {count:6d}  {target}")


if __name__ == "__main__":
    main()
