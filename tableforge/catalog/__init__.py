"""The table catalog: one YAML file per system, validated into typed models.

A catalog file looks like::

    system: transcription
    description: ...
    tables:
      users:
        description: ...
        source: [{doc: 004_....txt, section: "Database Schema / Users Table"}]
        partition_key: {name: user_id, type: S}
        billing: {mode: on_demand}
        gsis:
          - {name: email-index, partition_key: {name: email, type: S}}

Everything a later tool needs (keys, GSIs, TTL, billing, the seed document a
table comes from) is read from here; nothing else declares a table.

``models`` holds the pydantic models, ``rules`` the checks across fields,
``yamlload`` the duplicate-key-safe YAML loader and ``render`` the error
renderer; the last two serve every other input too (usage files,
acknowledgements, stage configs, app settings).
"""

from tableforge.catalog.loader import load_catalog, load_system, name_inputs
from tableforge.catalog.models import (
    FEATURE_FLAGS,
    MUTATING_ACTIONS,
    READ_ACTIONS,
    WRITE_ACTIONS,
    Billing,
    Capacity,
    Catalog,
    ConsumerSpec,
    Grant,
    Gsi,
    KeyAttribute,
    LiveTable,
    Source,
    SystemCatalog,
    TableSpec,
    TenantScope,
    key_map_placeholders,
    leading_key_template,
)
from tableforge.catalog.yamlload import load_yaml_unique, loads_yaml_unique

__all__ = [
    "FEATURE_FLAGS",
    "MUTATING_ACTIONS",
    "READ_ACTIONS",
    "WRITE_ACTIONS",
    "Billing",
    "Capacity",
    "Catalog",
    "ConsumerSpec",
    "Grant",
    "Gsi",
    "KeyAttribute",
    "LiveTable",
    "Source",
    "SystemCatalog",
    "TableSpec",
    "TenantScope",
    "key_map_placeholders",
    "leading_key_template",
    "load_catalog",
    "load_system",
    "name_inputs",
    "load_yaml_unique",
    "loads_yaml_unique",
]
