"""Tables too large for a client-side copy: DynamoDB's export to S3 and ImportTable.

Printed, never run (this project has no AWS access; README "Large tables"). The export
needs PITR on the source and reads no capacity; ImportTable only ever creates a new
table, so it must run before the stack creates ours, and it copies items unchanged.
"""

from __future__ import annotations

import json
from typing import Any

from adopt.rows import Row


def commands(row: Row, *, merge: bool) -> list[str]:
    live, model = row.live, row.model
    assert live is not None and model is not None
    prefix = f"adopt/{live.name}"
    out = [
        f"# {row.system}/{row.table}: {live.name} is {live.size_bytes / 1e9:.1f} GB: export and ImportTable, not a client copy"
    ]
    if live.pitr is not True:
        out.append(
            f"aws dynamodb update-continuous-backups --table-name {live.name} "
            "--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true   # the export needs PITR"
        )
    out.append(
        f"aws dynamodb export-table-to-point-in-time --table-arn {live.arn} --s3-bucket <BUCKET> "
        f"--s3-prefix {prefix} --export-format DYNAMODB_JSON"
    )
    out.append("aws dynamodb describe-export --export-arn <EXPORT_ARN>   # until ExportStatus is COMPLETED")
    if row.key_mapping:
        out.append(
            f"# ImportTable copies items as they are: apply the key mapping ({row.key_mapping}) to the export first"
        )
    if merge:
        out.append(
            f"# {row.physical_name} is imported, so it exists: ImportTable cannot load into it; import into a new table, then migrate from that"
        )
        return out
    out.append(
        f"aws dynamodb import-table --s3-bucket-source S3Bucket=<BUCKET>,S3KeyPrefix={prefix}/AWSDynamoDB/<EXPORT_ID>/data/ "
        f"--input-format DYNAMODB_JSON --input-compression-type GZIP --table-creation-parameters '{json.dumps(creation(row))}'"
    )
    out.append(f"# before {row.stack} is deployed; then plan again: {row.physical_name} shows as import")
    return out


def creation(row: Row) -> dict[str, Any]:
    """ImportTable's TableCreationParameters for the catalog table, from the read model."""
    model = row.model
    assert model is not None
    params: dict[str, Any] = {
        "TableName": row.physical_name,
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in model.attribute_types.items()],
        "KeySchema": model.key_schema(),
        "BillingMode": str(model.billing_mode),
    }
    if model.gsis:
        params["GlobalSecondaryIndexes"] = [
            {
                "IndexName": g.name,
                "KeySchema": [{"AttributeName": k.name, "KeyType": kind} for kind, k in g.keys.items()],
                "Projection": g.projection,
            }
            for g in model.gsis
        ]
    if model.provisioned and model.primary and model.primary.read and model.write:
        units = {"ReadCapacityUnits": int(str(model.primary.read.min)), "WriteCapacityUnits": int(str(model.write.min))}
        params["ProvisionedThroughput"] = units
        for index in params.get("GlobalSecondaryIndexes", []):
            index["ProvisionedThroughput"] = units
    return params
