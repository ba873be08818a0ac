"""The access each consumer should have, written out from the seed documents.

This is the test's own statement of the matrix, not a copy of the catalog: each
entry says which seed passage justifies it. Action names are DynamoDB's.
"""

from __future__ import annotations

#: "read": what looking items up takes (no Scan).
R = frozenset({"GetItem", "BatchGetItem", "Query"})
#: "write": creating, changing and removing items.
W = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"})
RW = R | W
Q = frozenset({"Query"})
PUT = frozenset({"PutItem"})
LOAD = frozenset({"PutItem", "BatchWriteItem"})


def idx(table: str, *indexes: str) -> dict[str, frozenset[str]]:
    """Query on each listed index of ``table``."""
    return {f"{table}/index/{index}": Q for index in indexes}


AUXEIRA: dict[str, dict[str, frozenset[str]]] = {
    # 003 api + dashboard endpoints, 000 backend, 001's tables the dashboards use.
    "dashboard-api": {
        "users": RW,
        **idx("users", "email-index", "user-type-status-index"),
        "user-startup-mapping": RW,
        **idx("user-startup-mapping", "inverted-index"),
        "startup-profiles": RW,
        **idx("startup-profiles", "user-id-index", "industry-stage-index"),
        "startup-activities": R,
        "activities-catalog": R,
        "activity-submissions": RW,
        **idx("activity-submissions", "startup-index", "status-index"),
        "peer-assessments": RW,
        **idx("peer-assessments", "submission-index"),
        "events": R,
        "event-registrations": RW,
        **idx("event-registrations", "event-index"),
        "partners": R,
        "partner-activations": RW,
        **idx("partner-activations", "startup-index"),
        "investor-matches": R,
        **idx("investor-matches", "startup-score-index"),
        "funding-readiness-checklist": RW,
        "notifications": frozenset({"Query", "UpdateItem"}),
        "esg-profiles": RW,
        "esg-reports": R,
        "projects": RW,
        "leaderboard": R,
        **idx("leaderboard", "score-index"),
        "investments": RW,
        **idx("investments", "investor-id-index", "company-id-index"),
        "portfolio-metrics": R,
        **idx("portfolio-metrics", "investor-date-index"),
        "esg-metrics": R,
        **idx("esg-metrics", "company-date-index"),
        "economic-impact": R,
        "corporate-partnerships": RW,
        "token-transactions": R,
        **idx("token-transactions", "user-created-index"),
        "subscription-events": RW,
        **idx("subscription-events", "user-event-type-index"),
    },
    # 003 generateReports: reads inputs, writes esg-reports only.
    "report-generator": {
        "esg-profiles": frozenset({"GetItem"}),
        "startup-profiles": frozenset({"GetItem", "Query"}),
        "esg-metrics": frozenset({"GetItem"}),
        **idx("esg-metrics", "company-date-index"),
        "portfolio-metrics": frozenset({"GetItem"}),
        **idx("portfolio-metrics", "investor-date-index"),
        "investments": frozenset({"GetItem"}),
        **idx("investments", "investor-id-index"),
        "economic-impact": frozenset({"GetItem", "BatchGetItem"}),
        "esg-reports": PUT,
    },
    # Write-only ingestion of activity and sessions.
    "activity-ingester": {
        "user-activity": LOAD,
        "startup-activities": LOAD,
        "user-sessions": frozenset({"PutItem", "UpdateItem"}),
    },
    "leaderboard-updater": {
        "startup-profiles": Q,
        **idx("startup-profiles", "industry-stage-index"),
        "esg-metrics": Q,
        **idx("esg-metrics", "company-date-index"),
        "leaderboard": RW,
        **idx("leaderboard", "score-index"),
    },
    "chatbot-service": {
        "chatbot-conversations": RW,
        "user-startup-mapping": Q,
        "startup-profiles": frozenset({"GetItem", "UpdateItem"}),
        "token-transactions": PUT,
    },
    "document-service": {
        "documents": RW,
        **idx("documents", "startup-index"),
        "startup-profiles": frozenset({"GetItem", "UpdateItem"}),
    },
    "notification-service": {
        "notifications": LOAD,
        "users": frozenset({"GetItem"}),
    },
    # 003's seven tables with is_synthetic + expires_at; Put only.
    "synthetic-data-generator": {
        table: PUT
        for table in (
            "startup-profiles",
            "investments",
            "portfolio-metrics",
            "esg-metrics",
            "economic-impact",
            "corporate-partnerships",
            "token-transactions",
        )
    },
    # Every auxeira table, write-only.
    "seed-loader": {
        table: LOAD
        for table in (
            "users",
            "user-startup-mapping",
            "startup-profiles",
            "startup-activities",
            "activities-catalog",
            "activity-submissions",
            "peer-assessments",
            "events",
            "event-registrations",
            "partners",
            "partner-activations",
            "investor-matches",
            "funding-readiness-checklist",
            "chatbot-conversations",
            "documents",
            "notifications",
            "user-sessions",
            "esg-profiles",
            "esg-reports",
            "projects",
            "leaderboard",
            "user-activity",
            "investments",
            "portfolio-metrics",
            "esg-metrics",
            "economic-impact",
            "corporate-partnerships",
            "token-transactions",
            "subscription-events",
        )
    },
    # Read-only; Scan only on the three event tables; never users, chatbot or documents.
    "analyst": {
        "user-activity": R | {"Scan"},
        "user-activity/index/dashboard-created-index": frozenset({"Query", "Scan"}),
        "user-sessions": R | {"Scan"},
        "startup-activities": R | {"Scan"},
        "startup-profiles": R,
        **idx("startup-profiles", "industry-stage-index"),
        "leaderboard": R,
        "esg-metrics": R,
        "investments": R,
        "subscription-events": R,
    },
}

STACKPRO: dict[str, dict[str, frozenset[str]]] = {
    "express-api": {"user-profiles": RW, "notifications": RW, "messages": RW, "conversations": RW},
}

#: Only with -c marketplace_enabled=true.
STACKPRO_MARKETPLACE: dict[str, dict[str, frozenset[str]]] = {
    "get-datasets": {"datasets": R | {"Scan"}},
    "get-data-signed-url": {
        "access-grants": frozenset({"GetItem"}),
        "datasets": frozenset({"GetItem"}),
        "usage-events": PUT,
    },
    "get-usage": {"usage-events": Q},
    "etl-anonymize": {
        "consent-settings": frozenset({"GetItem", "Query"}),
        "datasets": frozenset({"PutItem", "UpdateItem"}),
    },
}

TRANSCRIPTION: dict[str, dict[str, frozenset[str]]] = {
    "register": {"users": PUT, **idx("users", "email-index")},
    "login": {"users": frozenset({"UpdateItem"}), **idx("users", "email-index")},
    "stream": {"users": frozenset({"GetItem", "UpdateItem"}), "usage": PUT},
    "catch-up": {"users": frozenset({"GetItem", "UpdateItem"}), "usage": PUT},
    "stripe-webhook": {"transactions": frozenset({"GetItem", "UpdateItem"}), "users": frozenset({"UpdateItem"})},
}

EXPECTED = {"auxeira": AUXEIRA, "stackpro": STACKPRO, "transcription": TRANSCRIPTION}

#: (system, consumer, table) -> the LeadingKeys value (002's user-scoped keys).
LEADING_KEYS = {
    ("stackpro", "express-api", "user-profiles"): "USER#${aws:PrincipalTag/user_id}",
    ("stackpro", "express-api", "notifications"): "USER#${aws:PrincipalTag/user_id}",
    ("stackpro", "get-data-signed-url", "access-grants"): "${aws:PrincipalTag/tenant_id}",
    ("stackpro", "get-data-signed-url", "usage-events"): "${aws:PrincipalTag/tenant_id}",
    ("stackpro", "get-usage", "usage-events"): "${aws:PrincipalTag/tenant_id}",
}

#: consumer -> who assumes its role.
PRINCIPALS = {
    "auxeira": {
        "dashboard-api": "lambda",
        "report-generator": "lambda",
        "activity-ingester": "lambda",
        "leaderboard-updater": "lambda",
        "chatbot-service": "ecs_task",
        "document-service": "lambda",
        "notification-service": "lambda",
        "synthetic-data-generator": "lambda",
        "seed-loader": "account",
        "analyst": "account",
    },
    # 002: the Express server runs as a container; the marketplace functions are Lambdas.
    "stackpro": {
        "express-api": "ecs_task",
        "get-datasets": "lambda",
        "get-data-signed-url": "lambda",
        "get-usage": "lambda",
        "etl-anonymize": "lambda",
    },
    "transcription": {name: "lambda" for name in TRANSCRIPTION},
}

#: (system, consumer) -> the session tag a tenant-scoped role is re-assumed with.
TENANT_TAGS = {
    ("stackpro", "express-api"): "user_id",
    ("stackpro", "get-data-signed-url"): "tenant_id",
    ("stackpro", "get-usage"): "tenant_id",
}
