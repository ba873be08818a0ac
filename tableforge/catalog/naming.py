"""Physical names and construct IDs, derived from catalog keys and the stage."""

from __future__ import annotations


def physical_table_name(system: str, table: str, stage: str) -> str:
    """``<system>-<table>-<stage>``, as 001 names ``auxeira-users-prod``."""
    return f"{system}-{table}-{stage}"


def role_name(system: str, consumer: str, stage: str) -> str:
    """``<system>-<consumer>-<stage>``: the IAM role of one consumer in one stage."""
    return f"{system}-{consumer}-{stage}"


def construct_id(name: str) -> str:
    """Stable PascalCase construct ID from a catalog key: user-startup-mapping -> UserStartupMapping."""
    return "".join(part.capitalize() for part in name.split("-"))
