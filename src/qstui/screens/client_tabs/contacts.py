"""Tab «Контактные лица»: people with phones, e-mails, position, birthday, notes and the
custom fields admins defined for contact persons; Ins/ctrl+n adds one, Enter edits, Del
deletes (after a question) — a ``RecordsPanel``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding

from qstui.domain import formatting as fmt
from qstui.domain.clients import (
    ClientCard,
    ContactInfo,
    ContactInput,
    CustomFieldDef,
    CustomFieldValue,
)
from qstui.domain.enums import FieldEntity
from qstui.domain.errors import ValidationFailed
from qstui.i18n import N_, _
from qstui.screens.client_tabs.base import CardTab
from qstui.screens.client_tabs.custom import form_value, spec, typed_value
from qstui.screens.client_tabs.records import RecordsPanel
from qstui.screens.client_tabs.requisites import same
from qstui.services.clients import contacts as contact_service
from qstui.services.clients.custom_fields import list_fields
from qstui.widgets.form import FieldSpec

_PERSON = ("last_name", "first_name", "middle_name", "job_title", "birth_date", "notes")
_FORM = frozenset({*_PERSON, "phones", "emails"})
# The custom fields' names in the form: apart from the person's own, whatever their codes.
CUSTOM = "cf_"


def blank(d: CustomFieldDef) -> CustomFieldValue:
    """A field of a new person: the definition with no value."""
    return CustomFieldValue(
        field_id=d.id,
        code=d.code,
        title=d.title,
        kind=d.kind,
        value=None,
        choices=d.choices,
        is_required=d.is_required,
        is_active=d.is_active,
    )


def custom_errors(errors: dict[str, str], fields: Sequence[CustomFieldValue]) -> dict[str, str]:
    """The services name a bad custom value by its field's code: the form by its name."""
    codes = {f.code for f in fields}
    return {
        (CUSTOM + key if key in codes and key not in _FORM else key): message
        for key, message in errors.items()
    }


def split_list(raw: Any) -> list[str]:
    """«a; b, c» → ["a", "b", "c"] (phones and e-mails typed in one field)."""
    return [p.strip() for p in str(raw or "").replace(",", ";").split(";") if p.strip()]


def _indexed(errors: dict[str, str], prefix: str, field: str) -> dict[str, str]:
    """``phones[1]: msg`` → ``phones: msg`` (the form has one field for all phones)."""
    out: dict[str, str] = {}
    for key, message in errors.items():
        name = field if key.startswith(prefix) else key
        out[name] = f"{out[name]}; {message}" if name in out else message
    return out


def add_person(
    ctx: Any, company_id: int, values: dict[str, Any], fields: Sequence[CustomFieldValue] = ()
) -> int:
    """Runs in a worker: a new contact person with the typed phones, e-mails and values of
    the custom ``fields`` (all saved, or none)."""
    data = ContactInput(
        last_name=values.get("last_name") or "",
        **{k: values.get(k) or None for k in _PERSON if k != "last_name"},
    )
    try:
        return contact_service.add_contact(
            ctx,
            company_id,
            data,
            phones=split_list(values.get("phones")),
            emails=split_list(values.get("emails")),
            custom={
                f.field_id: typed_value(values.get(CUSTOM + f.code)) for f in fields if f.is_active
            },
        )
    except ValidationFailed as exc:
        errors = _indexed(_indexed(exc.errors, "phones[", "phones"), "emails[", "emails")
        raise ValidationFailed(custom_errors(errors, fields)) from None


class PersonSaver:
    """Saves an edited person: the person's fields, the custom fields changed, then the
    phones and e-mails added or removed. It keeps the versions and ids it got back, so a
    retry after an error goes on from where it stopped instead of running into its own
    conflict."""

    def __init__(self, company_id: int, person: ContactInfo) -> None:
        self.company_id = company_id
        self.person = person
        self.version = person.version
        # what is saved, as the form shows it
        self.saved = {
            key: fmt.day(person.birth_date) if key == "birth_date" else (getattr(person, key) or "")
            for key in _PERSON
        }
        self.custom = {CUSTOM + f.code: form_value(f) for f in person.custom_fields}
        # number / address -> (id, version)
        self.phones = {p.number: (p.id, p.version) for p in person.phones}
        self.emails = {e.address: (e.id, e.version) for e in person.emails}

    def changes(self, values: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in _PERSON:
            new = str(values.get(key) or "").strip()
            if new != str(self.saved[key]).strip():
                out[key] = new or None
        return out

    def custom_changes(self, values: dict[str, Any]) -> dict[str, Any]:
        """The custom fields changed in the form: name → typed value."""
        return {
            CUSTOM + f.code: values[CUSTOM + f.code]
            for f in self.person.custom_fields
            if f.is_active
            and CUSTOM + f.code in values
            and not same(values[CUSTOM + f.code], self.custom[CUSTOM + f.code])
        }

    def __call__(self, ctx: Any, values: dict[str, Any]) -> int:
        pid = self.person.id
        changes = self.changes(values)
        if changes:
            self.version = contact_service.update_contact(ctx, pid, self.version, **changes)
            self.saved.update({k: v or "" for k, v in changes.items()})
        errors: dict[str, str] = {}
        custom = self.custom_changes(values)
        if custom:
            ids = {CUSTOM + f.code: f.field_id for f in self.person.custom_fields}
            try:
                self.version = contact_service.set_contact_values(
                    ctx,
                    pid,
                    self.version,
                    {ids[name]: typed_value(value) for name, value in custom.items()},
                )
                self.custom.update(custom)
            except ValidationFailed as exc:
                errors.update(custom_errors(exc.errors, self.person.custom_fields))
        for kind, remove, add in (
            ("phones", contact_service.delete_phone, contact_service.add_phone),
            ("emails", contact_service.delete_email, contact_service.add_email),
        ):
            have: dict[str, tuple[int, int]] = getattr(self, kind)
            wanted = split_list(values.get(kind))
            for item, (ident, version) in list(have.items()):
                if item not in wanted:
                    remove(ctx, ident, version)
                    del have[item]
            for item in wanted:
                if item in have:
                    continue
                try:
                    have[item] = (add(ctx, self.company_id, item, contact_id=pid), 1)
                except ValidationFailed as exc:
                    errors[kind] = "; ".join(exc.errors.values())
        if errors:
            raise ValidationFailed(errors)
        return self.version


def person_fields(
    person: ContactInfo | None = None, custom: Sequence[CustomFieldValue] = ()
) -> list[FieldSpec]:
    """The person form: the person's own fields, then the ``custom`` ones (the person's,
    or those of a new person)."""
    p = person
    own = [
        FieldSpec("last_name", _("Last name"), p.last_name if p else "", max_length=60),
        FieldSpec("first_name", _("First name"), (p.first_name or "") if p else "", max_length=60),
        FieldSpec(
            "middle_name", _("Middle name"), (p.middle_name or "") if p else "", max_length=60
        ),
        FieldSpec("job_title", _("Position"), (p.job_title or "") if p else "", max_length=150),
        FieldSpec(
            "phones",
            _("Phones"),
            "; ".join(x.number for x in p.phones) if p else "",
            placeholder="+7 495 123-45-67; +7 …",
        ),
        FieldSpec(
            "emails",
            _("E-mails"),
            "; ".join(x.address for x in p.emails) if p else "",
            placeholder="name@example.ru; …",
        ),
        FieldSpec(
            "birth_date",
            _("Birthday (DD.MM.YYYY)"),
            fmt.day(p.birth_date) if p else "",
            max_length=10,
        ),
        FieldSpec("notes", _("Notes"), (p.notes or "") if p else "", multiline=True),
    ]
    return own + [spec(f, CUSTOM) for f in custom]


class ContactsPanel(RecordsPanel[ContactInfo]):
    """The contact persons table, the whole of its tab."""

    BINDINGS = [
        Binding("insert,ctrl+n", "add", N_("Add a person"), id="contacts.add"),
        Binding("enter", "edit", N_("Edit"), show=False, id="contacts.edit"),
        Binding("delete", "delete", N_("Delete"), id="contacts.delete"),
    ]
    DEFAULT_CSS = "ContactsPanel { height: 1fr; }"
    TABLE = "contacts"
    TITLE_CLASS = "tab-title"
    COLUMNS = (
        (N_("Name"), 26),
        (N_("Position"), 16),
        N_("Phones"),
        N_("E-mails"),
        N_("Birthday"),
        N_("Notes"),
    )
    ADD = staticmethod(add_person)
    DELETE = staticmethod(contact_service.delete_contact)
    NEW_TITLE = N_("New contact person")
    ADDED = N_("Contact person added")
    SAVED = N_("Contact person saved")
    DELETED = N_("Contact person deleted")

    def records(self, card: ClientCard) -> Sequence[ContactInfo]:
        return card.contacts

    def heading(self, card: ClientCard) -> str:
        return _("Contact persons: {n}").format(n=len(card.contacts))

    def row(self, c: ContactInfo) -> list[str | Text]:
        return [
            ("★ " if c.is_primary else "") + c.full_name,
            c.job_title or "",
            ", ".join(p.number for p in c.phones),
            ", ".join(e.address for e in c.emails),
            fmt.day(c.birth_date),
            " ".join((c.notes or "").split())[:60],
        ]

    def fields(self, person: ContactInfo | None) -> list[FieldSpec]:
        return person_fields(person, person.custom_fields if person else ())

    def action_add(self) -> None:
        """The form of a new person, with the custom fields defined for persons now
        (read in a worker first)."""
        card = self.tab.card
        if card is not None:
            self.call_service(
                list_fields,
                FieldEntity.CONTACT,
                then=lambda found: self._add(card.id, [blank(d) for d in found]),
                group="contact-fields",
            )

    def _add(self, company_id: int, custom: list[CustomFieldValue]) -> None:
        def submit(ctx: Any, values: dict[str, Any]) -> int:
            return add_person(ctx, company_id, values, custom)

        self.tab.form(
            _(self.NEW_TITLE),
            person_fields(None, custom),
            submit,
            lambda _id: self.tab.changed(_(self.ADDED)),
        )

    def edit_title(self, person: ContactInfo) -> str:
        return _("Contact person: {name}").format(name=person.full_name)

    def saver(self, person: ContactInfo) -> PersonSaver:
        assert self.tab.card is not None  # action_edit checks it
        return PersonSaver(self.tab.card.id, person)

    def delete_question(self, person: ContactInfo) -> str:
        return _("Delete the contact person «{name}» with the phones and e-mails?").format(
            name=person.full_name
        )


class ContactsTab(CardTab):
    TITLE = N_("Contact persons")
    SHORT = N_("Contacts")

    def compose(self) -> ComposeResult:
        yield ContactsPanel(self)

    def insert(self) -> None:
        self.query_one(ContactsPanel).insert()

    def fill(self, card: ClientCard) -> None:
        self.query_one(ContactsPanel).fill(card)
