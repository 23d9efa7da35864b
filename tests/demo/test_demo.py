"""``qstui demo``: the small demo on both backends is valid and consistent, the same seed
gives the same rows, and the CLI refuses a database that already has companies."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from click.testing import CliRunner, Result
from demo_checks import fingerprint, group_by, rows
from sqlalchemy.engine import URL

from qstui.cli.main import cli
from qstui.db.create import create_database
from qstui.db.defaults import load_defaults
from qstui.db.engine import Database
from qstui.db.migrate import upgrade
from qstui.demo import LOGINS, generate
from qstui.demo.writer import Writer
from qstui.domain import validators
from qstui.domain.enums import ClaimStatus, DealStatus, DocKind, EventStatus, PaymentKind, Role
from qstui.domain.normalize import company_name, email_key, fold, words
from qstui.services.access.passwords import verify_password

TODAY = date(2026, 11, 23)  # a Monday
NOW = datetime(2026, 11, 23, 6, 0)  # 09:00 Moscow time, the demo's "now" (naive UTC)


TABLES = (
    *("companies", "contacts", "phones", "emails", "bank_accounts", "users", "departments"),
    *("deals", "deal_stages", "deal_items", "deal_documents", "payments", "contracts"),
    *("events", "search_words", "stages", "claims", "claim_changes", "custom_values"),
    *("group_members", "settings", "products", "currency_rates", "regions", "kb_articles"),
    *("packages", "materials"),
)


def test_small_demo_is_valid_and_consistent(db):
    seen: dict[str, tuple[int, int]] = {}
    result = generate(
        db, "small", seed=3, today=TODAY, progress=lambda *a: seen.__setitem__(a[0], a[1:])
    )
    assert result.counts["companies"] == 300
    assert seen == {
        "setup": (6, 6),
        "companies": (300, 300),
        "deals": (600, 600),
        "events": (6000, 6000),
        "search": (300, 300),
    }
    data = {name: rows(db, name) for name in TABLES}
    _check_counts(data)
    _check_requisites(data)
    _check_users(data)
    _check_deals(data)
    _check_money(data)
    _check_events(data)
    _check_search(data)
    _check_extras(data)
    setting = next(s for s in data["settings"] if s["name"] == "demo")
    assert setting["val"] == {
        "size": "small",
        "seed": 3,
        "today": "2026-11-23",
        "logins": ["admin", "head", "ivanov", "petrova", "sidorov"],
        "password": "demo",
    }


def _check_counts(data):
    assert len(data["companies"]) == 300
    assert len(data["contacts"]) == 900
    assert len(data["deals"]) == 600
    assert len(data["events"]) == 6000
    assert 300 <= len(data["phones"]) <= 2500
    assert 300 <= len(data["emails"]) <= 2000
    assert 50 <= len(data["bank_accounts"]) <= 150
    assert len(data["products"]) == 150
    assert len(data["kb_articles"]) == 24
    assert len(data["packages"]) == 2
    assert all(m["size_bytes"] == len(m["content"]) > 0 for m in data["materials"])
    per_company = group_by(data["contacts"], "company_id")
    assert len(per_company) == 300  # every company has a contact person
    assert sum(1 for c in data["contacts"] if c["is_primary"]) == 300
    rates = group_by(data["currency_rates"], "currency_code")
    assert set(rates) == {"USD", "EUR", "CNY", "KZT", "BYN"}
    assert all(255 <= len(v) <= 262 for v in rates.values())  # working days of a year
    usd = [r["rate"] for r in rates["USD"]]
    assert Decimal(75) < min(usd) and max(usd) < Decimal(105)
    assert all(r["rate_date"].weekday() < 5 for r in data["currency_rates"])


def _check_requisites(data):
    regions = {r["id"]: r["code"] for r in data["regions"]}
    forms = set()
    for c in data["companies"]:
        forms.add(c["legal_form"])
        assert validators.inn(c["inn"]) == c["inn"]
        assert c["inn"][:2] == regions[c["region_id"]]
        if c["legal_form"] == "ИП":
            assert len(c["inn"]) == 12 and c["kpp"] is None
            assert validators.ogrnip(c["ogrn"]) == c["ogrn"]
            assert c["name"].startswith("ИП ") and re.fullmatch(r"ИП \S+ \S\. \S\.", c["name"])
        else:
            assert len(c["inn"]) == 10
            assert validators.kpp(c["kpp"]) == c["kpp"] and c["kpp"][:4] == c["inn"][:4]
            assert len(c["ogrn"]) == 13 and validators.ogrn(c["ogrn"]) == c["ogrn"]
            assert c["name"] == f"{c['legal_form']} «{c['full_name'].split('«', 1)[1]}"
        assert c["name_fold"] == fold(c["name"]) and c["name_key"] == company_name(c["name"])
        assert c["city_fold"] == fold(c["city"])
        assert re.fullmatch(r"г\. .+, ул\. .+, д\. \d+, офис \d+", c["legal_address"])
        assert 0 <= c["rating"] <= 5
    assert {"ООО", "ИП", "АО"} <= forms
    assert len({c["inn"] for c in data["companies"]}) == 300
    for account in data["bank_accounts"]:
        assert validators.bik(account["bik"]) == account["bik"]
        assert validators.account(account["account_no"], account["bik"])
        assert validators.corr_account(account["corr_account"], account["bik"])
        assert account["account_no"][:5] in ("40702", "40802")
    for phone in data["phones"]:
        assert validators.phone(phone["number"]) == phone["digits"]
        assert re.fullmatch(r"\+7 \(\d{3,5}\) \d{1,3}-\d\d-\d\d", phone["number"])
    for email in data["emails"]:
        assert validators.email(email["address"]) and email["address_key"] == email_key(
            email["address"]
        )
    assert any(e["address"].endswith(".рф") for e in data["emails"])


def _check_users(data):
    users = {u["login"]: u for u in data["users"]}
    assert set(LOGINS) <= set(users)
    for login in LOGINS:
        stored = users[login]["pass_hash"]
        assert "demo" not in stored and stored.startswith("$argon2")
        assert verify_password(stored, "demo")
        assert not verify_password(stored, "wrong")
    assert users["admin"]["role"] == Role.ADMIN
    assert users["head"]["role"] == Role.HEAD
    assert users["head"]["full_name"] == "Кузнецова Ольга Викторовна"
    assert {users[m]["role"] for m in ("ivanov", "petrova", "sidorov")} == {Role.MANAGER}
    depts = {d["name"]: d for d in data["departments"]}
    assert depts["Отдел продаж"]["head_id"] == users["head"]["id"]
    assert users["sidorov"]["department_id"] == depts["Региональные продажи"]["id"]
    assert users["ivanov"]["department_id"] == depts["Отдел продаж"]["id"]
    managers = {c["manager_id"] for c in data["companies"]}
    assert managers == {users[x]["id"] for x in ("head", "ivanov", "petrova", "sidorov")}


def _check_deals(data):
    deals = data["deals"]
    by_status = group_by(deals, "status")
    assert 0.1 < len(by_status[DealStatus.WON]) / 600 < 0.4
    assert 0.05 < len(by_status[DealStatus.LOST]) / 600 < 0.25
    open_stages = {d["stage_id"] for d in by_status[DealStatus.OPEN]}
    assert {s["id"] for s in data["stages"] if s["is_active"]} <= open_stages
    for d in by_status[DealStatus.LOST]:
        assert d["lost_reason_id"] and d["lost_stage_id"] == d["stage_id"] and d["lost_note"]
        assert d["started_on"] <= d["closed_on"] < TODAY
    for d in by_status[DealStatus.WON]:
        assert d["contract_id"] is not None and d["started_on"] <= d["closed_on"] < TODAY
    assert all(d["closed_on"] is None for d in by_status[DealStatus.OPEN])
    assert {d["currency_code"] for d in deals} >= {"RUB"}
    stages = group_by(data["deal_stages"], "deal_id")
    overdue = 0
    for d in deals:
        lives = sorted(stages[d["id"]], key=lambda s: s["started_on"])
        assert lives[-1]["stage_id"] == d["stage_id"]
        if d["status"] == DealStatus.WON:
            assert all(s["done_on"] for s in lives)
        else:
            assert all(s["done_on"] for s in lives[:-1]) and lives[-1]["done_on"] is None
        if d["status"] == DealStatus.OPEN and lives[-1]["due_on"] < TODAY:
            overdue += 1
        assert all(s["due_on"] >= s["started_on"] for s in lives)
    assert overdue > 0
    items = group_by(data["deal_items"], "deal_id")
    for d in deals:
        total = Decimal(0)
        for item in items[d["id"]]:
            expected = (item["qty"] * item["price"] * (100 - item["discount_pct"]) / 100).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
            assert item["amount"] == expected
            total += item["amount"]
        assert d["amount"] == total and 1 <= len(items[d["id"]]) <= 5
    assert any(d["activity_id"] for d in deals)


def _check_money(data):
    docs = data["deal_documents"]
    invoices = [x for x in docs if x["doc_kind"] == DocKind.INVOICE]
    shipments = [x for x in docs if x["doc_kind"] == DocKind.SHIPMENT]
    assert invoices and shipments
    assert all(re.fullmatch(r"СЧ-\d{6}", x["doc_no"]) for x in invoices)
    deals = {d["id"]: d for d in data["deals"]}
    for x in docs:
        deal = deals[x["deal_id"]]
        assert x["amount"] == deal["amount"] and x["currency_code"] == deal["currency_code"]
        assert x["company_id"] == deal["company_id"]
    won = {d["id"] for d in data["deals"] if d["status"] == DealStatus.WON}
    assert {x["deal_id"] for x in shipments} == won
    payments = data["payments"]
    assert {p["source"] for p in payments} == {"manual", "onec", "bank"}
    planned = [p for p in payments if p["pay_kind"] == PaymentKind.PLANNED]
    assert planned and all(p["pay_date"] > TODAY for p in planned)
    assert all(deals[p["deal_id"]]["status"] == DealStatus.OPEN for p in planned)
    actual = [p for p in payments if p["pay_kind"] == PaymentKind.ACTUAL]
    assert actual and all(p["pay_date"] <= TODAY for p in actual)
    paid: dict[int, Decimal] = {}
    for p in actual:
        paid[p["deal_id"]] = paid.get(p["deal_id"], Decimal(0)) + p["amount"]
    assert all(paid[d] <= deals[d]["amount"] for d in paid)
    debt: dict[int, Decimal] = {}
    for x in docs:
        debt[x["company_id"]] = debt.get(x["company_id"], Decimal(0)) + x["amount"]
    for p in actual:
        debt[p["company_id"]] = debt.get(p["company_id"], Decimal(0)) - p["amount"]
    assert any(v > 0 for v in debt.values())
    shipped_unpaid = [
        d for d in won if paid.get(d, Decimal(0)) < deals[d]["amount"]
    ]  # shipped and not fully paid: a real debt
    assert shipped_unpaid
    # the summary columns the demo writes itself: the sums of its rows (one currency)
    sums = {key: {deal_id: Decimal(0) for deal_id in deals} for key in ("invoiced", "shipped")}
    for key, kind in (("invoiced", invoices), ("shipped", shipments)):
        for x in kind:
            sums[key][x["deal_id"]] += x["amount"]
    firsts: dict[int, date] = {}
    for x in [*invoices, *shipments]:
        firsts[x["deal_id"]] = min(firsts.get(x["deal_id"], x["doc_date"]), x["doc_date"])
    for deal_id, deal in deals.items():
        assert (deal["invoiced"], deal["shipped"], deal["paid"], deal["rate_missing"]) == (
            sums["invoiced"][deal_id],
            sums["shipped"][deal_id],
            paid.get(deal_id, Decimal(0)),
            False,
        ), deal_id
        owed = max(sums["invoiced"][deal_id], sums["shipped"][deal_id]) - paid.get(deal_id, 0)
        assert (deal["debt"], deal["billed_on"]) == (owed, firsts.get(deal_id)), deal_id


def _check_events(data):
    events = data["events"]
    users = {u["login"]: u["id"] for u in data["users"]}
    done = [e for e in events if e["status"] == EventStatus.DONE]
    planned = [e for e in events if e["status"] == EventStatus.PLANNED]
    assert len(done) > 0.75 * len(events)
    start_of_today = datetime(2026, 11, 22, 21, 0)  # 00:00 Moscow time, as naive UTC
    for e in done:
        assert e["done_at"] >= e["event_at"] and e["result_id"] is not None
        assert e["event_at"] < start_of_today
    for e in events:  # working hours, Moscow time
        assert 9 <= (e["event_at"] + timedelta(hours=3)).hour <= 17
    weekend = [e for e in done if (e["event_at"] + timedelta(hours=3)).weekday() >= 5]
    assert len(weekend) < 0.05 * len(done)
    for e in planned:
        assert e["remind_at"] == e["event_at"] - timedelta(minutes=15) and e["done_at"] is None
    for login in ("head", "ivanov", "petrova", "sidorov"):
        mine = [e for e in planned if e["responsible_id"] == users[login]]
        today = [e for e in mine if start_of_today <= e["event_at"] < NOW + timedelta(hours=15)]
        assert today, login
        assert any(e["event_at"] < start_of_today for e in mine), login  # overdue plans
    assert any(e["event_at"] > NOW + timedelta(days=7) for e in planned)
    assert any(e["activity_id"] for e in events) and any(e["deal_id"] for e in events)
    companies = {c["id"]: c for c in data["companies"]}
    for e in events:
        assert e["responsible_id"] == companies[e["company_id"]]["manager_id"]
    latest: dict[int, datetime] = {}
    for e in done:
        if e["company_id"] not in latest or e["event_at"] > latest[e["company_id"]]:
            latest[e["company_id"]] = e["event_at"]
    for c in data["companies"]:
        assert c["last_contact_at"] == latest.get(c["id"]), c["name"]


def _check_search(data):
    index = group_by(data["search_words"], "object_kind")
    company_words = group_by(index["company"], "object_id")
    for c in data["companies"]:
        found = {w["word"] for w in company_words[c["id"]]}
        assert set(words(company_name(c["name"]))) <= found, c["name"]
        assert c["inn"] in found
        assert all(w == fold(w) for w in found)
    all_words = {w["word"] for w in data["search_words"]}
    root = fold(data["companies"][0]["name_key"].split()[0])
    assert root in all_words and "ооо" in all_words
    contact_words = group_by(index["contact"], "object_id")
    contacts = {p["id"]: p for p in data["contacts"]}
    assert set(contact_words) == set(contacts)
    for contact_id, found in contact_words.items():
        assert fold(contacts[contact_id]["last_name"]) in {w["word"] for w in found}
        assert {w["company_id"] for w in found} == {contacts[contact_id]["company_id"]}
    for phone in data["phones"]:
        if phone["contact_id"]:
            kind, owner = "contact", phone["contact_id"]
        else:
            kind, owner = "company", phone["company_id"]
        owned = {w["word"] for w in index[kind] if w["object_id"] == owner}
        assert phone["digits"] in owned
    assert len(group_by(index["deal"], "object_id")) == 600
    assert len(group_by(index["product"], "object_id")) == 150
    assert len(group_by(index["article"], "object_id")) == len(data["kb_articles"])


def _check_extras(data):
    changes = group_by(data["claim_changes"], "claim_id")
    assert data["claims"]
    for claim in data["claims"]:
        history = sorted(changes[claim["id"]], key=lambda c: c["id"])
        assert history[0]["old_status"] is None and history[0]["new_status"] == ClaimStatus.NEW
        assert history[-1]["new_status"] == claim["status"]
        assert (claim["closed_at"] is not None) == (claim["status"] == ClaimStatus.CLOSED)
    fields = group_by(data["custom_values"], "field_id")
    assert len(fields) == 3
    members = group_by(data["group_members"], "group_id")
    assert len(members) >= 2
    contracts = {c["id"]: c for c in data["contracts"]}
    for d in data["deals"]:
        if d["contract_id"]:
            assert contracts[d["contract_id"]]["company_id"] == d["company_id"]


def test_writer_thread_failure_surfaces_and_nothing_is_committed(db):
    with db.engine.connect() as conn:
        writer = Writer(conn)
        writer.start_background()
        writer.write("setup", "settings", [{"id": 1, "name": "first"}])
        writer.write("setup", "settings", [{"id": 2, "no_such_column": 1}])
        writer.commit()
        with pytest.raises(ValueError, match="no_such_column"):
            writer.stop_background()
        conn.rollback()
    assert rows(db, "settings") == []


# --- determinism -------------------------------------------------------------------------


def _fresh_sqlite(path) -> Database:
    url = f"sqlite:///{path}"
    db = Database(url)
    create_database(db.url)
    upgrade(db)
    load_defaults(db)
    return db


def test_same_seed_and_day_give_the_same_rows(tmp_path):
    prints = []
    for name, seed in (("one", 11), ("two", 11), ("three", 12)):
        db = _fresh_sqlite(tmp_path / f"{name}.sqlite3")
        try:
            generate(db, "small", seed=seed, today=TODAY)
            prints.append(fingerprint(db))
        finally:
            db.dispose()
    assert prints[0] == prints[1]
    assert prints[0]["companies"] != prints[2]["companies"]  # the check can fail


# --- the CLI ----------------------------------------------------------------------------


def _invoke(url: URL, *args: str) -> Result:
    text = url.render_as_string(hide_password=False)
    return CliRunner().invoke(cli, ["--db", text, *args])


def _one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_cli_demo_once_then_refuses(scratch_url):
    url = scratch_url("democli")
    create_database(url)
    message = _one_line_error(_invoke(url, "demo", "--today", "2026-11-23"))
    assert "qstui db init" in message

    db = Database(url)
    try:
        upgrade(db)
        load_defaults(db)
    finally:
        db.dispose()
    first = _invoke(url, "demo", "--size", "small", "--today", "2026-11-23")
    assert first.exit_code == 0, first.output
    assert re.search(r"companies\s+300", first.stdout)
    assert "admin, head, ivanov, petrova, sidorov" in first.stdout

    again = _invoke(url, "demo", "--size", "small", "--today", "2026-11-23")
    assert "already has companies" in _one_line_error(again)

    skipped = _invoke(url, "demo", "--if-empty")
    assert skipped.exit_code == 0, skipped.output
    assert "already has companies" in skipped.stdout

    db = Database(url)
    try:
        assert len(rows(db, "companies")) == 300  # nothing was added twice
    finally:
        db.dispose()


def test_cli_demo_db_option_and_bad_values(scratch_url, tmp_path):
    url = scratch_url("demoopt")
    text = url.render_as_string(hide_password=False)
    unused = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    result = CliRunner().invoke(cli, ["--db", unused, "demo", "--db", text])
    assert "qstui db init" in _one_line_error(result)
    bad = CliRunner().invoke(cli, ["--db", text, "demo", "--today", "23.11.2026"])
    assert bad.exit_code == 2
    bad = CliRunner().invoke(cli, ["--db", text, "demo", "--size", "huge"])
    assert bad.exit_code == 2


@pytest.mark.parametrize("size", ["small", "large"])
def test_sizes_are_declared(size):
    from qstui.demo import SIZES

    spec = SIZES[size]
    assert spec.contacts == 3 * spec.companies and spec.deals == 2 * spec.companies
    if size == "large":
        assert (spec.companies, spec.events) == (100_000, 1_000_000)
