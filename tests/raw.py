"""The tests' own view of raw template JSON, independent of tableforge's read model."""

from __future__ import annotations

from typing import Any

TABLE_TYPES = ("AWS::DynamoDB::GlobalTable", "AWS::DynamoDB::Table")


def raw_tag(resource: dict[str, Any], key: str) -> str | None:
    """A tag as written: a Table's or SSM parameter's ``Tags``, or a GlobalTable replica's."""
    props = resource.get("Properties", {})
    for tags in [props.get("Tags")] + [r.get("Tags") for r in props.get("Replicas", [])]:
        pairs = tags.items() if isinstance(tags, dict) else ((t.get("Key"), t.get("Value")) for t in tags or [])
        for name, value in pairs:
            if name == key and isinstance(value, str):
                return value
    return None
