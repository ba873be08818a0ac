#!/usr/bin/env python3
"""The CDK app: read settings from context, validate the catalog, one Stage per stage.

Bad input (a catalog typo, an unknown stage, a name over an AWS limit) raised
anywhere while the app is built is printed as one line naming the file, table and
field, and the app exits 2 before anything is synthesized: no assembly is written.
"""

import sys

from aws_cdk import App

from cdk_constructs.nag_packs import unacknowledged_findings
from stacks.wiring import build_app, load_app_catalog
from tableforge.errors import TableforgeError
from tableforge.settings import AppSettings


def main() -> None:
    app = App()
    try:
        settings = AppSettings.from_context(app.node.try_get_context)
        build_app(app, settings, load_app_catalog(settings))
    except TableforgeError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    assembly = app.synth()
    # cdk-nag and the GlobalTable rules: every finding must be fixed or acknowledged.
    findings = unacknowledged_findings(assembly.directory)
    if findings:
        print("\n".join(["error: unacknowledged validation findings:", *map(str, findings)]), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
