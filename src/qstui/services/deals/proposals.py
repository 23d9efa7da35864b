"""Commercial proposals — КП (D8): a printable document made from a deal, as plain text,
HTML (a printable page, every value escaped) or Markdown.

It shows our company (settings ``company.name``, ``company.inn``, ``company.address``,
``company.phone``, ``company.email``), the number and date, the client's requisites and
contact person, the products (№, name, qty, unit, price, discount, sum), the total with
the VAT it includes per item rate («в т.ч. НДС»), the amount in words (Russian, for
RUB, USD and EUR), how long the offer is valid (setting ``proposal.valid_days``,
default 10) and the manager's name and contacts. The amount in words comes from
``in_words``.

The file is created readable by its owner only (mode 0600, ``qstui.files``): it holds
the client's data until the manager sends it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from qstui.db.models import AppUser, Company, Contact, Email, Phone, Setting
from qstui.domain.clock import today
from qstui.domain.deals import DealCard, ItemInfo, vat_included
from qstui.domain.errors import ValidationFailed
from qstui.domain.formatting import NBSP, day, money
from qstui.domain.text import multi_line
from qstui.files import open_private
from qstui.i18n import _, language
from qstui.services import rights as R
from qstui.services.context import Context
from qstui.services.deals.in_words import amount_in_words
from qstui.services.deals.view import card_in

FORMATS = ("txt", "html", "md")
EXTENSIONS = {".txt": "txt", ".html": "html", ".htm": "html", ".md": "md"}
DEFAULT_VALID_DAYS = 10
SETTING_NAMES = (
    "company.name",
    "company.inn",
    "company.address",
    "company.phone",
    "company.email",
    "proposal.valid_days",
)

# --- what a proposal shows ---------------------------------------------------------------


@dataclass(frozen=True)
class VatLine:
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Proposal:
    number: str
    made_on: date
    valid_until: date
    our_name: str
    our_details: tuple[str, ...]
    client_name: str
    client_inn: str | None
    client_kpp: str | None
    client_address: str | None
    contact: str | None
    deal: DealCard
    vat: tuple[VatLine, ...]
    total: Decimal
    words: str | None
    manager_name: str | None
    manager_contacts: tuple[str, ...]


def _settings(s: Any) -> dict[str, Any]:
    rows = s.execute(select(Setting.name, Setting.val).where(Setting.name.in_(SETTING_NAMES)))
    return {name: val for name, val in rows}


def build_proposal(ctx: Context, deal_id: int, on: date | None = None) -> Proposal:
    """Everything a КП shows (rights and visibility as for the deal card)."""
    ctx.require(R.DEALS)
    on = on or today()
    with ctx.db.reader() as s:
        card = card_in(s, ctx, deal_id)
        settings = _settings(s)
        company = s.execute(
            select(
                Company.name,
                Company.full_name,
                Company.inn,
                Company.kpp,
                Company.legal_address,
                Company.postal_address,
            ).where(Company.id == card.company_id)
        ).one()
        contact_line = None
        if card.contact_id is not None:
            contact = s.get(Contact, card.contact_id)
            phone = s.scalar(
                select(Phone.number).where(Phone.contact_id == card.contact_id).order_by(Phone.id)
            )
            mail = s.scalar(
                select(Email.address).where(Email.contact_id == card.contact_id).order_by(Email.id)
            )
            parts = [card.contact_name or "", contact.job_title if contact else None, phone, mail]
            contact_line = ", ".join(p for p in parts if p)
        manager_contacts: tuple[str, ...] = ()
        if card.manager_id is not None:
            row = s.execute(
                select(AppUser.phone, AppUser.email).where(AppUser.id == card.manager_id)
            ).first()
            if row is not None:
                manager_contacts = tuple(p for p in (row.phone, row.email) if p)
    try:
        valid_days = int(settings.get("proposal.valid_days") or DEFAULT_VALID_DAYS)
    except (TypeError, ValueError):
        valid_days = DEFAULT_VALID_DAYS
    our_details = tuple(
        line
        for line in (
            _labelled(_("INN"), settings.get("company.inn")),
            multi_line(settings.get("company.address")),
            _labelled(_("Phone"), settings.get("company.phone")),
            _labelled(_("E-mail"), settings.get("company.email")),
        )
        if line
    )
    vat: dict[Decimal, Decimal] = {}
    for item in card.items:
        rate = Decimal(item.vat_pct or 0)
        vat[rate] = vat.get(rate, Decimal("0.00")) + vat_included(item.amount, rate)
    total = sum((item.amount for item in card.items), Decimal("0.00"))
    return Proposal(
        number=f"{card.id}-{on:%Y%m%d}",
        made_on=on,
        valid_until=on + timedelta(days=valid_days),
        our_name=multi_line(settings.get("company.name")) or _("Our company"),
        our_details=our_details,
        client_name=company.full_name or company.name,
        client_inn=company.inn,
        client_kpp=company.kpp,
        client_address=company.legal_address or company.postal_address,
        contact=contact_line,
        deal=card,
        vat=tuple(VatLine(rate, amount) for rate, amount in sorted(vat.items()) if rate > 0),
        total=total,
        words=amount_in_words(total, card.currency_code),
        manager_name=card.manager_name,
        manager_contacts=manager_contacts,
    )


def _labelled(label: str, value: Any) -> str | None:
    text = multi_line(value)
    return f"{label}: {text}" if text else None


def _qty(value: Decimal) -> str:
    text = format(Decimal(value).normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if language() == "ru" else text


def _pct(value: Decimal) -> str:
    return _qty(value) + NBSP + "%"


def _sum(value: Decimal, currency: str) -> str:
    return money(value, currency)


def _price(value: Decimal) -> str:
    return money(value, None)


def _requisites(p: Proposal) -> list[str]:
    lines = [p.client_name]
    codes = []
    if p.client_inn:
        codes.append(f"{_('INN')} {p.client_inn}")
    if p.client_kpp:
        codes.append(f"{_('KPP')} {p.client_kpp}")
    if codes:
        lines.append(", ".join(codes))
    if p.client_address:
        lines.append(f"{_('Address')}: {p.client_address}")
    return lines


def _item_cells(item: ItemInfo, currency: str) -> list[str]:
    return [
        str(item.line_no),
        item.product_name,
        _qty(item.qty),
        item.unit or "",
        _price(item.price),
        _pct(item.discount_pct) if item.discount_pct else "",
        _sum(item.amount, currency),
    ]


def _headers() -> list[str]:
    return ["№", _("Product"), _("Qty"), _("Unit"), _("Price"), _("Discount"), _("Sum")]


def _title_line(p: Proposal) -> str:
    return _("Commercial proposal No. {number} of {date}").format(
        number=p.number, date=day(p.made_on)
    )


def _total_lines(p: Proposal) -> list[tuple[str, str]]:
    currency = p.deal.currency_code
    lines = [(_("Total"), _sum(p.total, currency))]
    if p.vat:
        for line in p.vat:
            lines.append(
                (
                    _("incl. VAT {rate}").format(rate=_pct(line.rate)),
                    _sum(line.amount, currency),
                )
            )
    else:
        lines.append((_("Without VAT"), ""))
    return lines


def _closing(p: Proposal) -> list[str]:
    lines = [_("The proposal is valid until {date}.").format(date=day(p.valid_until))]
    if p.manager_name:
        manager = p.manager_name
        if p.manager_contacts:
            manager += ", " + ", ".join(p.manager_contacts)
        lines.append(f"{_('Your manager')}: {manager}")
    return lines


def _words_line(p: Proposal) -> str | None:
    if p.words is None:
        return None
    return f"{_('Amount in words')}: {p.words}"


# --- renderers ---------------------------------------------------------------------------


def _render_txt(p: Proposal) -> str:
    currency = p.deal.currency_code
    out = [p.our_name, *p.our_details, "", _title_line(p), ""]
    out.append(f"{_('To')}:")
    out += ["  " + line for line in _requisites(p)]
    if p.contact:
        out.append(f"{_('Contact person')}: {p.contact}")
    out += ["", f"{_('Subject')}: {p.deal.title}", ""]
    rows = [_headers()] + [_item_cells(item, currency) for item in p.deal.items]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    right = {0, 2, 4, 5, 6}

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ).rstrip()

    rule = "-" * len(line(["x" * w for w in widths]))
    out += [line(rows[0]), rule, *(line(r) for r in rows[1:]), rule]
    for label, value in _total_lines(p):
        out.append(f"{label}: {value}" if value else label)
    if (words := _words_line(p)) is not None:
        out.append(words)
    out += ["", *_closing(p)]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    """A Markdown table cell or line: pipes escaped, no line breaks, no raw HTML."""
    text = " ".join(str(text).split())
    for ch in ("\\", "|", "*", "_", "`", "<", ">", "[", "]"):
        text = text.replace(ch, "\\" + ch)
    return text


def _render_md(p: Proposal) -> str:
    currency = p.deal.currency_code
    out = [f"**{_md(p.our_name)}**", ""]
    out += [_md(line) + "  " for line in p.our_details]
    out += ["", f"# {_md(_title_line(p))}", "", f"**{_md(_('To'))}:**  "]
    out += [_md(line) + "  " for line in _requisites(p)]
    if p.contact:
        out.append(f"{_md(_('Contact person'))}: {_md(p.contact)}")
    out += ["", f"**{_md(_('Subject'))}:** {_md(p.deal.title)}", ""]
    out.append("| " + " | ".join(_md(h) for h in _headers()) + " |")
    out.append("|---:|---|---:|---|---:|---:|---:|")
    for item in p.deal.items:
        out.append("| " + " | ".join(_md(c) for c in _item_cells(item, currency)) + " |")
    out.append("")
    for label, value in _total_lines(p):
        out.append(f"**{_md(label)}**: {_md(value)}  " if value else f"**{_md(label)}**  ")
    if (words := _words_line(p)) is not None:
        out.append(_md(words))
    out += ["", *(_md(line) + "  " for line in _closing(p))]
    return "\n".join(out).rstrip() + "\n"


_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 11pt; color: #000;
       max-width: 190mm; margin: 10mm auto; }
header { border-bottom: 2px solid #333; margin-bottom: 6mm; padding-bottom: 2mm; }
header .name { font-size: 14pt; font-weight: bold; }
h1 { font-size: 15pt; text-align: center; margin: 6mm 0; }
table.items { border-collapse: collapse; width: 100%; margin: 4mm 0; }
table.items th, table.items td { border: 1px solid #555; padding: 1.5mm 2mm; vertical-align: top; }
table.items th { background: #eee; }
td.num { text-align: right; white-space: nowrap; }
table.totals { margin-left: auto; }
table.totals td { padding: 0.5mm 2mm; }
.words { font-style: italic; margin: 3mm 0; }
footer { margin-top: 10mm; }
@media print { body { margin: 0; } @page { size: A4; margin: 15mm; } }
""".strip()


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _render_html(p: Proposal) -> str:
    currency = p.deal.currency_code
    title = _title_line(p)
    lang = "ru" if language() == "ru" else "en"
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_e(title)}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        "<header>",
        f'<div class="name">{_e(p.our_name)}</div>',
        *(f"<div>{_e(line)}</div>" for line in p.our_details),
        "</header>",
        f"<h1>{_e(title)}</h1>",
        '<section class="client">',
        f"<p><b>{_e(_('To'))}:</b><br>" + "<br>".join(_e(line) for line in _requisites(p)) + "</p>",
    ]
    if p.contact:
        out.append(f"<p><b>{_e(_('Contact person'))}:</b> {_e(p.contact)}</p>")
    out.append(f"<p><b>{_e(_('Subject'))}:</b> {_e(p.deal.title)}</p>")
    out.append("</section>")
    out.append('<table class="items">')
    out.append("<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in _headers()) + "</tr></thead>")
    out.append("<tbody>")
    numeric = {0, 2, 4, 5, 6}
    for item in p.deal.items:
        cells = _item_cells(item, currency)
        out.append(
            "<tr>"
            + "".join(
                f'<td class="num">{_e(c)}</td>' if i in numeric else f"<td>{_e(c)}</td>"
                for i, c in enumerate(cells)
            )
            + "</tr>"
        )
    out += ["</tbody>", "</table>", '<table class="totals">']
    for label, value in _total_lines(p):
        out.append(f'<tr><td><b>{_e(label)}</b></td><td class="num">{_e(value)}</td></tr>')
    out.append("</table>")
    if (words := _words_line(p)) is not None:
        out.append(f'<p class="words">{_e(words)}</p>')
    out.append("<footer>")
    out += [f"<p>{_e(line)}</p>" for line in _closing(p)]
    out += ["</footer>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


_RENDERERS = {"txt": _render_txt, "html": _render_html, "md": _render_md}


def render_proposal(ctx: Context, deal_id: int, fmt: str = "txt", on: date | None = None) -> str:
    """The КП of a visible deal as ``txt``, ``html`` or ``md`` text."""
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in _RENDERERS:
        raise ValidationFailed(
            {
                "format": _("Unknown format {fmt}: use one of {formats}").format(
                    fmt=fmt, formats=", ".join(FORMATS)
                )
            }
        )
    return _RENDERERS[fmt](build_proposal(ctx, deal_id, on))


def write_proposal(ctx: Context, deal_id: int, path: str | Path, on: date | None = None) -> Path:
    """Write the КП to ``path``; the format follows the extension (.txt, .html, .md)."""
    target = Path(path)
    fmt = EXTENSIONS.get(target.suffix.lower())
    if fmt is None:
        raise ValidationFailed(
            {
                "path": _("Save the proposal as .txt, .html or .md (not «{name}»)").format(
                    name=target.name
                )
            }
        )
    text = render_proposal(ctx, deal_id, fmt, on)
    with open_private(target, "w", encoding="utf-8") as out:
        out.write(text)
    return target


__all__ = [
    "Proposal",
    "build_proposal",
    "render_proposal",
    "write_proposal",
]
