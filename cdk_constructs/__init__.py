"""tableforge's own CDK constructs.

This package is ``cdk_constructs``, not ``constructs``: a top-level package named
``constructs`` would shadow the ``constructs`` library that aws-cdk-lib imports.
"""
