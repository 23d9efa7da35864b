"""A user's own preferences: the interface language (``users.lang``), chosen in the app
and used at the next login unless ``--lang`` or ``QSTUI_LANG`` say otherwise.

Rights: none beyond being logged in — a user changes only their own row. It is written
without touching the account's version or edit stamp (an administrator editing the
account meanwhile is not refused). With per-user Firebird logins the role cannot write
``users``: the procedure ``QSTUI_LANGUAGE`` writes the connected login's own row.
"""

from __future__ import annotations

from sqlalchemy import text, update

from qstui.db.grants import LANGUAGE_PROCEDURE
from qstui.db.models import AppUser
from qstui.domain.errors import ValidationFailed
from qstui.i18n import LANGUAGES, _
from qstui.services.context import Context
from qstui.services.persist import writing


def set_own_language(ctx: Context, lang: str) -> str:
    """Remember ``lang`` (``ru`` / ``en``) as the user's interface language; returns it."""
    code = (lang or "").strip().lower()
    if code not in LANGUAGES:
        raise ValidationFailed(
            {"lang": _("Unknown language «{lang}»: {known}").format(
                lang=lang, known=", ".join(LANGUAGES)
            )}
        )  # fmt: skip
    if ctx.user_id is None:
        raise ValidationFailed({"lang": _("Only a user has an interface language")})
    with writing(ctx) as s:
        if ctx.db.per_user:
            s.execute(text(f"EXECUTE PROCEDURE {LANGUAGE_PROCEDURE}(:lang)"), {"lang": code})
        else:
            s.execute(
                update(AppUser)
                .where(AppUser.id == ctx.user_id)
                .values(lang=code, updated_at=AppUser.updated_at)
                .execution_options(synchronize_session=False)
            )
    return code
