"""The comparison of the reference sync (E2) as a pure function over plain records: no
database, no network, so every rule is tested on its own.

Each side is a list of ``Item`` (our companies or products; 1C's counterparties or
nomenclature) whose ``values`` are the compared fields as text; ``Link`` is a row of
``onec_links`` with the versions both sides had at the last sync. A linked pair is
*changed here* when our row's version moved, *changed there* when 1C's ``DataVersion``
did, a *conflict* when both moved and the values differ. Pairs are proposed by the
``Rule``s of a kind in order (INN+KPP, then INN, then the normalized name; for products
the article, then the name), each object at most once; a rule with a ``guard`` never
pairs two objects whose guard fields are both filled and differ (two companies with
different INNs are not proposed because their names agree).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from qstui.domain.onec import HERE, THERE, FieldDiff, SyncCategory, SyncRow


@dataclass(frozen=True, slots=True)
class Item:
    key: int | str  # our id, or 1C's Ref_Key
    version: int | str  # our row's version, or 1C's DataVersion
    values: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Link:
    object_id: int
    ref: str
    object_version: int | None
    data_version: str | None


@dataclass(frozen=True)
class Rule:
    label: str  # SyncRow.match
    key: Callable[[Mapping[str, str]], str]  # "" means "this rule cannot match it"
    guard: str | None = None


@dataclass(frozen=True)
class Spec:
    """What a kind compares: ``compared`` fields (``loose`` ones count as equal when
    either side is empty), ``code`` the field shown as the row's code, ``rules``."""

    compared: tuple[str, ...]
    code: str
    rules: tuple[Rule, ...]
    loose: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Pair:
    """A row of the comparison with the items it was made from (for applying it)."""

    row: SyncRow
    ours: Item | None
    theirs: Item | None
    link: Link | None


def differences(spec: Spec, ours: Item, theirs: Item) -> tuple[FieldDiff, ...]:
    found = []
    for name in spec.compared:
        a, b = ours.values.get(name, ""), theirs.values.get(name, "")
        if a == b or (name in spec.loose and (not a or not b)):
            continue
        found.append(FieldDiff(name, a, b))
    return tuple(found)


def _row(
    spec: Spec,
    category: SyncCategory,
    ours: Item | None,
    theirs: Item | None,
    *,
    match: str | None = None,
    side: str | None = None,
    diffs: tuple[FieldDiff, ...] = (),
) -> SyncRow:
    either = ours or theirs
    assert either is not None
    return SyncRow(
        category=category,
        object_id=int(ours.key) if ours is not None else None,
        ref=str(theirs.key) if theirs is not None else None,
        name=ours.values.get("name", "") if ours is not None else "",
        their_name=theirs.values.get("name", "") if theirs is not None else "",
        code=either.values.get(spec.code, ""),
        match=match,
        changed_side=side,
        differences=diffs,
    )


def _linked_pair(spec: Spec, link: Link, ours: Item, theirs: Item) -> Pair:
    diffs = differences(spec, ours, theirs)
    here = ours.version != link.object_version
    there = theirs.version != link.data_version
    if not diffs or not (here or there):
        category, side = SyncCategory.LINKED, None
    elif here and there:
        category, side = SyncCategory.CONFLICT, None
    else:
        category, side = SyncCategory.CHANGED, HERE if here else THERE
    return Pair(_row(spec, category, ours, theirs, side=side, diffs=diffs), ours, theirs, link)


def _guarded(rule: Rule, ours: Item, theirs: Item) -> bool:
    if rule.guard is None:
        return True
    a, b = ours.values.get(rule.guard, ""), theirs.values.get(rule.guard, "")
    return not a or not b or a == b


def compare(
    spec: Spec, ours: Sequence[Item], theirs: Sequence[Item], links: Iterable[Link]
) -> list[Pair]:
    """Every row of the comparison: linked pairs, proposed pairs, then lone objects, in
    the order of ``ours`` and ``theirs``. Links whose object is missing on either side
    (deleted, or a company the user does not see) make no row."""
    by_id = {item.key: item for item in ours}
    by_ref = {item.key: item for item in theirs}
    pairs: list[Pair] = []
    used_ours: set[int | str] = set()
    used_theirs: set[int | str] = set()
    for link in links:
        used_ours.add(link.object_id)
        used_theirs.add(link.ref)
        mine, other = by_id.get(link.object_id), by_ref.get(link.ref)
        if mine is not None and other is not None:
            pairs.append(_linked_pair(spec, link, mine, other))
    free_ours = [item for item in ours if item.key not in used_ours]
    free_theirs = [item for item in theirs if item.key not in used_theirs]
    for rule in spec.rules:
        candidates: dict[str, list[Item]] = {}
        for item in free_theirs:
            key = rule.key(item.values)
            if key:
                candidates.setdefault(key, []).append(item)
        matched: set[int | str] = set()
        left_ours = []
        for item in free_ours:
            key = rule.key(item.values)
            found = next(
                (
                    other
                    for other in (candidates.get(key, ()) if key else ())
                    if other.key not in matched and _guarded(rule, item, other)
                ),
                None,
            )
            if found is None:
                left_ours.append(item)
                continue
            matched.add(found.key)
            diffs = differences(spec, item, found)
            row = _row(spec, SyncCategory.PROPOSED, item, found, match=rule.label, diffs=diffs)
            pairs.append(Pair(row, item, found, None))
        free_ours = left_ours
        free_theirs = [item for item in free_theirs if item.key not in matched]
    pairs.extend(
        Pair(_row(spec, SyncCategory.ONLY_HERE, i, None), i, None, None) for i in free_ours
    )
    pairs.extend(
        Pair(_row(spec, SyncCategory.ONLY_THERE, None, i), None, i, None) for i in free_theirs
    )
    return pairs
