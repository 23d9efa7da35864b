"""``$metadata`` of a simulated base: EDMX of the published sets, as 1C writes it
(namespace ``StandardODATA``, tabular sections as collections of row types and as
entity sets of their own)."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from qstui.onec.simulator.schema import SetSchema

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<edmx:Edmx xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" Version="1.0">\n'
    '<edmx:DataServices xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/'
    'metadata" m:DataServiceVersion="3.0">\n'
    '<Schema xmlns="http://schemas.microsoft.com/ado/2009/11/edm" Namespace="StandardODATA">\n'
)
_TAIL = "</Schema>\n</edmx:DataServices>\n</edmx:Edmx>\n"


def _props(properties: dict[str, str]) -> list[str]:
    return [
        f'<Property Name={quoteattr(name)} Type={quoteattr(kind)} Nullable="true"/>'
        for name, kind in properties.items()
    ]


def edmx(sets: list[SetSchema]) -> bytes:
    parts = [_HEAD]
    for set_ in sets:
        keys = ["Ref_Key", "LineNumber"] if set_.kind == "table" else ["Ref_Key"]
        parts.append(f"<EntityType Name={quoteattr(set_.entity_set)}>")
        parts.append("<Key>" + "".join(f'<PropertyRef Name="{key}"/>' for key in keys) + "</Key>")
        parts.extend(_props(set_.properties))
        for table in set_.tables:
            row_type = f"StandardODATA.{set_.entity_set}_{table}_RowType"
            parts.append(
                f"<Property Name={quoteattr(table)} Type={quoteattr(f'Collection({row_type})')}"
                ' Nullable="false"/>'
            )
        parts.append("</EntityType>\n")
        for table, schema in set_.tables.items():
            parts.append(f"<ComplexType Name={quoteattr(f'{set_.entity_set}_{table}_RowType')}>")
            parts.extend(_props(schema.properties))
            parts.append("</ComplexType>\n")
    parts.append('<EntityContainer Name="EnterpriseV8" m:IsDefaultEntityContainer="true">\n')
    for set_ in sets:
        parts.append(
            f"<EntitySet Name={quoteattr(set_.entity_set)}"
            f" EntityType={quoteattr('StandardODATA.' + set_.entity_set)}/>\n"
        )
    parts.append("</EntityContainer>\n")
    parts.append(_TAIL)
    return "".join(parts).encode("utf-8")
