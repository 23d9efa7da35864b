"""Tab «Претензии» (C7): the client's claims; Ins registers one (subject, description,
department, employee, the interaction it came from, the investigation plan), Enter moves
it along new → investigating → resolved → closed with the resolution; a claim may link
the knowledge-base article that answers it, opened with «a»."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from qstui.domain import formatting as fmt
from qstui.domain.claims import ClaimCard, status_name
from qstui.domain.clients import ClientCard
from qstui.domain.enums import ClaimStatus
from qstui.domain.errors import ValidationFailed
from qstui.domain.knowledge import ArticleRow
from qstui.i18n import N_, _
from qstui.screens.client_tabs.base import CardTab
from qstui.services import rights as R
from qstui.services.clients import claims as claim_service
from qstui.services.knowledge import articles as kb
from qstui.widgets import cells
from qstui.widgets.form import FieldSpec
from qstui.widgets.tables import card_table, current_key, fill_table

OPEN = (ClaimStatus.NEW, ClaimStatus.INVESTIGATING)


def register(ctx: Any, company_id: int, values: dict[str, Any]) -> int:
    """Runs in a worker: a new claim from the form's values."""
    due: Any = None
    raw_due = (values.get("plan_due") or "").strip()
    if raw_due:
        try:
            due = fmt.parse_day(raw_due)
        except ValueError:
            raise ValidationFailed({"plan_due": _("Enter a date as DD.MM.YYYY")}) from None
    return claim_service.register_claim(
        ctx,
        company_id,
        values.get("subject") or "",
        description=values.get("description") or None,
        department_id=values.get("department"),
        employee_id=values.get("employee"),
        event_id=values.get("event"),
        kb_article_id=values.get("kb_article"),
        plan_text=values.get("plan_text") or None,
        plan_due=due,
    )


class ClaimsTab(CardTab):
    TITLE = N_("Claims")
    SHORT = N_("Claims")
    BINDINGS = [
        Binding("insert", "register", N_("Register a claim"), id="claims.register"),
        Binding("s", "status", N_("Change the status"), id="claims.status"),
        Binding("a", "article", N_("The claim's article"), id="claims.article"),
    ]
    INSERT = "register"
    EDIT_ACTIONS = frozenset({"register", "status"})

    def compose(self) -> ComposeResult:
        yield Static("", id="claims-title", classes="tab-title")
        yield card_table("claims", (N_("Registered"), N_("Subject"), N_("Status"), N_("Employee")))

    def fill(self, card: ClientCard) -> None:
        still_open = sum(1 for c in card.claims if c.status in OPEN)
        self.query_one("#claims-title", Static).update(
            _("Claims: {n}, open: {open}").format(n=len(card.claims), open=still_open)
            + "  "
            + _("(Ins — register, Enter — change the status)")
        )
        fill_table(
            self.query_one("#claims", DataTable),
            [
                (
                    str(c.id),
                    [
                        fmt.moment(c.registered_at),
                        c.subject,
                        cells.styled(
                            status_name(c.status), cells.ALERT if c.status in OPEN else ""
                        ),
                        c.employee or "",
                    ],
                )
                for c in card.claims
            ],
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.can("edit"):
            self.action_status()

    def action_register(self) -> None:
        if self.card is None:
            return
        if self.can(R.KNOWLEDGE):
            self.call_service(kb.list_articles, then=self._register_form)
        else:
            self._register_form([])

    def _register_form(self, articles: list[ArticleRow]) -> None:
        card = self.card
        if card is None:
            return
        choices = self.choices
        company_id = card.id

        def submit(ctx: Any, values: dict[str, Any]) -> int:
            return register(ctx, company_id, values)

        events = [(f"{fmt.day(h.when)} {h.type}: {h.subject}"[:70], h.id) for h in card.history]
        fields = [
            FieldSpec("subject", _("Subject"), max_length=250),
            FieldSpec("description", _("Complaint"), multiline=True),
            FieldSpec(
                "department",
                _("Department"),
                None,
                choices=[(n, i) for i, n in choices.get("departments", ())],
            ),
            FieldSpec(
                "employee",
                _("Employee"),
                None,
                choices=[(n, i) for i, n in choices.get("employees", ())],
            ),
            FieldSpec("event", _("After the interaction"), None, choices=events),
            *(
                [
                    FieldSpec(
                        "kb_article",
                        _("Knowledge-base article"),
                        None,
                        choices=[(a.title[:70], a.id) for a in articles],
                    )
                ]
                if articles
                else []
            ),
            FieldSpec("plan_text", _("Investigation plan"), multiline=True),
            FieldSpec("plan_due", _("Due (DD.MM.YYYY)"), max_length=10),
        ]
        self.form(
            _("New claim of «{name}»").format(name=card.name),
            fields,
            submit,
            lambda _id: self.changed(_("Claim registered")),
            save_label=_("Register"),
        )

    def action_status(self) -> None:
        key = current_key(self.query_one("#claims", DataTable))
        if key is None:
            return
        self.call_service(claim_service.get_claim, int(key), then=self._status_form)

    def action_article(self) -> None:
        """Open the knowledge-base article the highlighted claim links."""
        key = current_key(self.query_one("#claims", DataTable))
        if key is not None:
            self.call_service(claim_service.get_claim, int(key), then=self._open_article)

    def _open_article(self, claim: ClaimCard) -> None:
        if claim.kb_article_id is None:
            self.notify(_("The claim links no knowledge-base article"), severity="warning")
        else:
            self.qapp.open_article(claim.kb_article_id)

    def _status_form(self, claim: ClaimCard) -> None:
        if not claim.next_statuses:
            self.notify(
                _("The claim is {status}: it cannot change any more").format(
                    status=status_name(claim.status)
                ),
                severity="warning",
            )
            return
        claim_id, version = claim.id, claim.version

        def submit(ctx: Any, values: dict[str, Any]) -> int:
            return claim_service.change_status(
                ctx,
                claim_id,
                version,
                values.get("status") or "",
                note=values.get("note") or None,
                resolution=values.get("resolution") or None,
            )

        fields = [
            FieldSpec(
                "status",
                _("New status"),
                claim.next_statuses[0].value,
                choices=[(status_name(s), s.value) for s in claim.next_statuses],
                allow_blank=False,
            ),
            FieldSpec("resolution", _("Resolution"), claim.resolution or "", multiline=True),
            FieldSpec("note", _("Note"), max_length=1000),
        ]
        title = _("Claim «{subject}»: {status}").format(
            subject=claim.row.subject, status=status_name(claim.status)
        )
        self.form(title, fields, submit, lambda _v: self.changed(_("Claim status changed")))
