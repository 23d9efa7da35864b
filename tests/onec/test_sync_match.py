"""The comparison of the reference sync as a pure function: proposal order, guards,
changes on one side and conflicts."""

from __future__ import annotations

from qstui.domain.onec import SyncCategory as C
from qstui.services.onec.sync_counterparties import SPEC as COMPANIES
from qstui.services.onec.sync_match import Item, Link, compare
from qstui.services.onec.sync_nomenclature import SPEC as PRODUCTS


def ours(key: int, name: str, inn: str = "", kpp: str = "", version: int = 1) -> Item:
    return Item(key, version, {"name": name, "inn": inn, "kpp": kpp})


def theirs(ref: str, name: str, inn: str = "", kpp: str = "", version: str = "v1") -> Item:
    return Item(ref, version, {"name": name, "inn": inn, "kpp": kpp})


def rows(pairs: list) -> list[tuple]:
    return [(p.row.category, p.row.object_id, p.row.ref, p.row.match) for p in pairs]


def test_inn_and_kpp_first_then_inn_then_name() -> None:
    result = compare(
        COMPANIES,
        [
            ours(1, "Альфа", "7701000001", "770101001"),
            ours(2, "Бета", "7701000002", "770101001"),
            ours(3, "ООО «Гамма»", ""),
            ours(4, "Дельта", "7701000004"),
        ],
        [
            theirs("b", "Бета (1С)", "7701000002", "770102001"),  # another KPP: by INN
            theirs("a2", "Альфа филиал", "7701000001", "770199001"),
            theirs("a", "Альфа", "7701000001", "770101001"),  # the exact one wins
            theirs("g", "Гамма", "7701000003"),  # by name: our INN is empty
            theirs("d", "Дельта", "7701999999"),  # same name, another INN: no match
        ],
        [],
    )
    assert rows(result) == [
        (C.PROPOSED, 1, "a", "inn_kpp"),
        (C.PROPOSED, 2, "b", "inn"),
        (C.PROPOSED, 3, "g", "name"),
        (C.ONLY_HERE, 4, None, None),
        (C.ONLY_THERE, None, "a2", None),
        (C.ONLY_THERE, None, "d", None),
    ]
    beta = result[1].row
    assert [(d.name, d.ours, d.theirs) for d in beta.differences] == [
        ("name", "Бета", "Бета (1С)"),
        ("kpp", "770101001", "770102001"),
    ]


def test_changes_since_the_last_sync() -> None:
    links = [Link(n, f"r{n}", 1, "v1") for n in range(1, 6)]
    result = compare(
        COMPANIES,
        [
            ours(1, "Same"),
            ours(2, "Ours new", version=2),
            ours(3, "Old"),
            ours(4, "Ours new", version=2),
            ours(5, "Touched", version=3),  # a new version, the same values
        ],
        [
            theirs("r1", "Same"),
            theirs("r2", "Old"),
            theirs("r3", "Theirs new", version="v2"),
            theirs("r4", "Theirs new", version="v2"),
            theirs("r5", "Touched", version="v9"),
        ],
        links,
    )
    got = [(p.row.category, p.row.changed_side) for p in result]
    assert got == [
        (C.LINKED, None),
        (C.CHANGED, "here"),
        (C.CHANGED, "there"),
        (C.CONFLICT, None),
        (C.LINKED, None),
    ]


def test_links_to_missing_objects_make_no_row_and_free_nothing() -> None:
    result = compare(
        COMPANIES,
        [ours(1, "A", "7701000001")],
        [theirs("x", "A", "7701000001")],
        [Link(1, "gone", 1, "v1")],
    )
    assert rows(result) == [(C.ONLY_THERE, None, "x", None)]


def test_products_by_article_then_name_with_loose_unit() -> None:
    def p(key: int | str, name: str, article: str, unit: str = "") -> Item:
        return Item(key, 1, {"name": name, "article": article, "unit": unit, "service": "0"})

    result = compare(
        PRODUCTS,
        [p(1, "Болт", "B-1", "796"), p(2, "Гайка", ""), p(3, "Шайба", "S-1")],
        [p("x", "Болт М8", "b-1", ""), p("y", "гайка", "G-9", "796"), p("z", "Шайба", "S-2")],
        [],
    )
    assert rows(result) == [
        (C.PROPOSED, 1, "x", "article"),
        (C.PROPOSED, 2, "y", "name"),
        (C.ONLY_HERE, 3, None, None),
        (C.ONLY_THERE, None, "z", None),
    ]
    assert [d.name for d in result[0].row.differences] == ["name", "article"]
    assert [d.name for d in result[1].row.differences] == ["name"]
