"""The mapping table: every configuration names every object qstui needs, and the
БП 3.0 names are those of real 1C responses (the golden files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qstui.onec import mapping as M

SAMPLES = Path(__file__).parent / "samples" / "odata"


@pytest.mark.parametrize("config", M.CONFIG_KINDS)
def test_every_configuration_names_every_object(config: str) -> None:
    objects = M.objects_of(config)
    needed = set(M.NEEDED_ROLES) - {M.PARTNER}
    assert needed <= set(objects)
    for role, obj in objects.items():
        prefix = "Document_" if obj.kind == "document" else "Catalog_"
        assert obj.entity_set.startswith(prefix), (config, role)
        assert obj.fields, (config, role)
        if obj.kind == "document":
            assert obj.tables, (config, role)
    assert set(M.entity_sets_needed(config)) == {obj.entity_set for obj in objects.values()}


def test_partner_is_an_ut11_object_only() -> None:
    assert M.PARTNER in M.objects_of(M.UT11)
    assert M.PARTNER not in M.objects_of(M.BP30)
    assert "Catalog_Партнеры" in M.entity_sets_needed(M.UT11)
    assert "Catalog_Партнеры" not in M.entity_sets_needed(M.BP30)


def test_unknown_configuration_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        M.objects_of("bp20")


@pytest.mark.parametrize(
    ("role", "sample"),
    [
        (M.CONTRACT, "bp30_Catalog_ДоговорыКонтрагентов.json"),
        (M.PRODUCT, "bp30_Catalog_Номенклатура.json"),
        (M.SHIPMENT, "bp30_Document_РеализацияТоваровУслуг.json"),
    ],
)
def test_bp30_names_are_those_of_real_responses(role: str, sample: str) -> None:
    obj = M.objects_of(M.BP30)[role]
    data = json.loads((SAMPLES / sample).read_text(encoding="utf-8"))
    assert data["odata.metadata"].endswith("#" + obj.entity_set)
    common = M.DOCUMENT_FIELDS if obj.kind == "document" else M.CATALOG_FIELDS
    for record in data["value"]:
        present = set(record)
        for name in obj.fields.values():
            assert name in present, name
        for name in common.values():
            if name not in ("Parent_Key", "IsFolder") or obj.kind == "catalog":
                assert name in present or name == "Parent_Key", name
        for table in obj.tables:
            assert isinstance(record[table.name], list)
            for row in record[table.name]:
                assert M.LINE_NUMBER in row
                for name in table.fields.values():
                    assert name in row or name == "Содержание", name
