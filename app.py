#!/usr/bin/env python3
"""The CDK app: read settings from context, validate the catalog, one Stage per stage.

Bad input (a catalog typo, an unknown stage) is printed as one line naming the
file, table and field, and the app exits non-zero before anything is synthesized.
"""

import sys

from aws_cdk import App

from stacks.wiring import build_app, load_app_catalog
from tableforge.errors import TableforgeError
from tableforge.settings import AppSettings


def main() -> None:
    app = App()
    try:
        settings = AppSettings.from_context(app.node.try_get_context)
        catalog = load_app_catalog(settings)
    except TableforgeError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    build_app(app, settings, catalog)
    app.synth()


if __name__ == "__main__":
    main()
