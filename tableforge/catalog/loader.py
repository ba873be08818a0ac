"""Loading catalog/*.yaml: parse, validate each field, then check the rules across fields."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from pathlib import Path

from tableforge.catalog.models import FEATURE_FLAGS, Catalog, SystemCatalog
from tableforge.catalog.render import Where, validate
from tableforge.catalog.rules import check_consumers, check_tables
from tableforge.catalog.yamlload import loads_yaml_unique, read_text
from tableforge.errors import CatalogError, display_path

#: Where a table's or consumer's errors are: under "table 'users'", not "tables.users".
_ITEMS = {"tables": "table '{}'", "consumers": "consumer '{}'"}


def load_system(path: Path) -> SystemCatalog:
    """Load and validate one ``catalog/<system>.yaml``."""
    display = display_path(path)
    return _system(read_text(path, display, CatalogError), display, path.stem)


@functools.lru_cache(maxsize=32)
def _system(text: str, display: str, stem: str) -> SystemCatalog:
    """The validated catalog that ``text`` holds. Parsing YAML in Python is most of a command's
    start-up (60 ms for catalog/); a process that loads the same files again (adopt, the tests)
    gets the same frozen models back. An invalid file raises every time: errors aren't cached."""
    catalog = validate(SystemCatalog, loads_yaml_unique(text, display), Where(file=display, items=_ITEMS))
    if catalog.system != stem:
        raise CatalogError(f"system '{catalog.system}' must match the file name '{stem}'", file=display, field="system")
    check_tables(catalog, display)
    check_consumers(catalog, display)
    return catalog


def load_catalog(
    catalog_dir: Path | str = "catalog",
    *,
    flags: Mapping[str, bool] | None = None,
    stage_names: Iterable[str] = ("dev", "staging", "prod"),
) -> Catalog:
    """Load every ``*.yaml`` in ``catalog_dir``, validated, before anything is synthesized."""
    directory = Path(catalog_dir)
    if not directory.is_dir():
        raise CatalogError("catalog directory not found", file=str(directory))
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise CatalogError("no *.yaml catalog files found", file=str(directory))
    flags = dict(flags or {})
    unknown = sorted(set(flags) - set(FEATURE_FLAGS))
    if unknown:
        raise CatalogError(f"unknown feature flag(s) {unknown}; known: {list(FEATURE_FLAGS)}")
    systems: dict[str, SystemCatalog] = {}
    paths: dict[str, Path] = {}
    for path in files:
        catalog = load_system(path)
        systems[catalog.system] = catalog
        paths[catalog.system] = path
    stage_names = list(stage_names)
    for system, spec_catalog in systems.items():
        _check_budget_stages(spec_catalog, display_path(paths[system]), stage_names)
    result = Catalog(systems, paths, {f: flags.get(f, False) for f in FEATURE_FLAGS})
    _check_names(result, stage_names)
    return result


def _check_names(catalog: Catalog, stage_names: Iterable[str]) -> None:
    """Every table, role, stack, topic, budget, dashboard and SSM parameter name, in every stage,
    against its AWS limit (alarm names need the alarm rules: see stacks.wiring)."""
    from tableforge.resolve import check_names
    from tableforge.stages import get_stage

    check_names(name_inputs(catalog), [get_stage(name) for name in stage_names])


def _check_budget_stages(catalog: SystemCatalog, display: str, stage_names: list[str]) -> None:
    for stage in catalog.budget.stages if catalog.budget else {}:
        if stage not in stage_names:
            raise CatalogError(
                f"unknown stage '{stage}'; known stages: {', '.join(stage_names)}",
                file=display,
                item=f"system '{catalog.system}'",
                field=f"budget.stages.{stage}",
            )


def name_inputs(catalog: Catalog) -> list[tuple[str, str, list[tuple[str, int]], list[str]]]:
    """(system, catalog file, [(table, data stack)], [consumer]) of every system, flags ignored:
    a table gated on a flag must have valid names before anyone turns the flag on."""
    return [
        (
            system,
            display_path(catalog.paths[system]),
            [(name, spec.stack) for name, spec in spec_catalog.tables.items()],
            list(spec_catalog.consumers),
        )
        for system, spec_catalog in catalog.systems.items()
    ]
