"""The as-found world of issue 12, built in DynamoDB Local from what the seeds say.

- 001 ("Current Database Architecture"): four production tables keyed PK/SK (strings),
  holding 11 + 1 + 1,000 + 6 = 1,018 records. 001 states no billing mode: on-demand.
- 000 (the setup script's output): six tables without a stage suffix, with the billing
  modes it prints: users, user-profiles and esg-reports PAY_PER_REQUEST; projects 5/2,
  leaderboard 10/3 and (from its table, since the output omits it) user-activity 2/5
  PROVISIONED. 000 gives no keys; each is keyed as the catalog keys 000's tables.
- 002: stackpro-sandbox-messages with its 3 messages.

Every figure here is the seeds'; item contents are invented, shaped like the fields the
seeds list.
"""

from __future__ import annotations

from typing import Any

#: 001's tables and record counts ("1,018 total records").
SEED_001 = {
    "auxeira-users-prod": 11,
    "auxeira-user-startup-mapping-prod": 1,
    "auxeira-startup-profiles-prod": 1000,
    "auxeira-startup-activities-prod": 6,
}
#: 000's tables: (keys, billing as its output prints it: None = PAY_PER_REQUEST, else (read, write)).
SEED_000: dict[str, tuple[tuple[str, ...], tuple[int, int] | None]] = {
    "auxeira-users": (("user_id",), None),
    "auxeira-user-profiles": (("user_id",), None),
    "auxeira-esg-reports": (("user_id", "report_id"), None),
    "auxeira-projects": (("project_id",), (5, 2)),
    "auxeira-leaderboard": (("leaderboard_id", "entity_id"), (10, 3)),
    "auxeira-user-activity": (("user_id", "event_id"), (2, 5)),
}
#: 002: "Data: 3 messages in stackpro-sandbox-messages".
SEED_002_MESSAGES = 3
#: How many items each of 000's tables gets here (000 gives no counts).
ITEMS_000 = 7

USER_TYPES = ("startup_founder", "angel_investor", "vc", "corporate_partner", "government", "admin")


def create(
    client: Any, name: str, keys: tuple[str, ...], *, key_type: str = "S", capacity: tuple[int, int] | None = None
) -> None:
    kinds = ("HASH", "RANGE")
    request: dict[str, Any] = {
        "TableName": name,
        "KeySchema": [{"AttributeName": k, "KeyType": kinds[i]} for i, k in enumerate(keys)],
        "AttributeDefinitions": [
            {"AttributeName": k, "AttributeType": key_type if i == 0 else "S"} for i, k in enumerate(keys)
        ],
    }
    if capacity:
        request["BillingMode"] = "PROVISIONED"
        request["ProvisionedThroughput"] = {"ReadCapacityUnits": capacity[0], "WriteCapacityUnits": capacity[1]}
    else:
        request["BillingMode"] = "PAY_PER_REQUEST"
    client.create_table(**request)


def put_all(client: Any, name: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), 25):
        requests = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        pending: dict[str, Any] = {name: requests}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def s(value: str) -> dict[str, str]:
    return {"S": value}


def n(value: int | str) -> dict[str, str]:
    return {"N": str(value)}


def items_001(name: str) -> list[dict[str, Any]]:
    count = SEED_001[name]
    if name == "auxeira-users-prod":
        sks = ("PROFILE", "SETTINGS", "SUBSCRIPTION")
        return [
            {
                "PK": s(f"USER#u{i // 3:02d}"),
                "SK": s(sks[i % 3]),
                "email": s(f"user{i // 3}@example.com"),
                "user_type": s(USER_TYPES[i % len(USER_TYPES)]),
                "status": s("active"),
                "created_at": s("2025-10-01T00:00:00Z"),
            }
            for i in range(count)
        ]
    if name == "auxeira-user-startup-mapping-prod":
        return [
            {
                "PK": s("USER#u00"),
                "SK": s("STARTUP#s0000"),
                "role": s("founder"),
                "user_id": s("u00"),
                "startup_id": s("s0000"),
            }
        ]
    if name == "auxeira-startup-profiles-prod":
        return [
            {
                "PK": s(f"STARTUP#s{i:04d}"),
                "SK": s("PROFILE"),
                "company_name": s(f"Startup {i}"),
                "industry": s(("FinTech", "HealthTech", "EdTech")[i % 3]),
                "stage": s(("Pre-Seed", "Seed", "Series A")[i % 3]),
                "sse_score": n(i % 101),
                "mrr": n(f"{1000 + i}.50"),
            }
            for i in range(count)
        ]
    return [
        {"PK": s("STARTUP#s0000"), "SK": s(f"ACTIVITY#2025-11-0{i + 1}T10:00:00Z"), "activity_type": s("metric_update")}
        for i in range(count)
    ]


def items_000(name: str, keys: tuple[str, ...], count: int = ITEMS_000) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        item: dict[str, Any] = {k: s(f"{k[:-3]}-{i:03d}") for k in keys}
        item["created_at"] = s("2025-10-17T10:30:00Z")
        if name == "auxeira-users":
            item["email"] = s(f"esg{i}@example.com")
            item["password_hash"] = s("$2b$12$" + "x" * 53)
        if name == "auxeira-leaderboard":
            item["score"] = n(100 - i)
        out.append(item)
    return out


def build(client: Any, *, only: tuple[str, ...] | None = None) -> None:
    """Every live table the seeds describe (or ``only`` those), with their items."""
    for name in SEED_001:
        if only is None or name in only:
            create(client, name, ("PK", "SK"))
            put_all(client, name, items_001(name))
    for name, (keys, capacity) in SEED_000.items():
        if only is None or name in only:
            create(client, name, keys, capacity=capacity)
            put_all(client, name, items_000(name, keys))
    if only is None or "stackpro-sandbox-messages" in only:
        create(client, "stackpro-sandbox-messages", ("PK", "SK"))
        put_all(
            client,
            "stackpro-sandbox-messages",
            [
                {"PK": s("CONVERSATION#c1"), "SK": s(f"MESSAGE#2025-08-09T12:0{i}:00Z"), "content": s(f"hello {i}")}
                for i in range(SEED_002_MESSAGES)
            ],
        )


def count(client: Any, name: str) -> int:
    total, kwargs = 0, {"TableName": name, "Select": "COUNT"}
    while True:
        page = client.scan(**kwargs)
        total += page["Count"]
        if "LastEvaluatedKey" not in page:
            return total
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
