"""`tableforge adopt`: take over the DynamoDB tables the seed systems already run (issue 12).

``adopt plan`` reads each live candidate of a stage's tables (DescribeTable,
DescribeTimeToLive, DescribeContinuousBackups, ListTagsOfResource), compares it with the
synthesized template through the read model, and gives each pair one action: create,
import, migrate, external or blocked. ``adopt migrate`` copies a live table's items into
the catalog's table with the seed loader's validation and batch writer, resumably.
Nothing here writes to a live source table.
"""
