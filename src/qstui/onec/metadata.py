"""The ``$metadata`` of a published 1C base (EDMX, namespace ``StandardODATA``): which
entity sets it publishes and the EDM type of each property — what ``qstui onec base
test`` compares with the mapping table, and what tells an Int64 field from a text one."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from qstui.onec.errors import OnecFormatError


@dataclass(frozen=True)
class Metadata:
    entity_sets: frozenset[str]
    # entity type name → property name → EDM type ("Edm.Int64", "Edm.Guid" …)
    properties: dict[str, dict[str, str]] = field(default_factory=dict)

    def int64_fields(self, entity_set: str) -> frozenset[str]:
        props = self.properties.get(entity_set, {})
        return frozenset(name for name, kind in props.items() if kind == "Edm.Int64")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_metadata(body: bytes | str) -> Metadata:
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise OnecFormatError(f"$metadata is not XML ({exc})") from None
    if _local(root.tag) != "Edmx":
        raise OnecFormatError("$metadata is not EDMX")
    sets: set[str] = set()
    properties: dict[str, dict[str, str]] = {}
    for element in root.iter():
        name = _local(element.tag)
        if name == "EntitySet" and element.get("Name"):
            sets.add(element.get("Name", ""))
        elif name == "EntityType" and element.get("Name"):
            properties[element.get("Name", "")] = {
                prop.get("Name", ""): prop.get("Type", "")
                for prop in element
                if _local(prop.tag) == "Property"
            }
    return Metadata(frozenset(sets), properties)
