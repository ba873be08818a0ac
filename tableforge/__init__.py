"""Pure-Python core of tableforge: the table catalog and the stage configs.

Nothing here imports aws-cdk-lib, so the seed loader, the cost estimator and
the review diff can read the catalog without paying jsii's start-up cost.
"""
