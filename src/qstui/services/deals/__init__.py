"""Deals — «Работа» (D1–D8), a module per concern:

- ``deal``: create a deal, edit its fields under its version, delete it;
- ``listing``: the list of deals (keyset pages) and its count;
- ``view``: the deal card (``get_deal``) and its first paint in one session
  (``deal_view``);
- ``stages``: move a deal through the stages of its pipeline, a stage's details, the
  late stages (the deals list and the start page);
- ``outcome``: won, lost, reopened;
- ``items``: the products of a deal; ``payments``: its planned and actual payments;
  ``documents``: its 1C documents; ``debt``: the debt of a deal and of a client;
  ``sums``: the deal's summary columns the debt is read from, recounted by every write;
- ``proposals`` (with ``in_words``): the commercial proposal (КП);
- ``choices``: what the deal forms offer to choose from;
- ``shared``: what the modules share (loading and saving a deal, rows as plain objects,
  the checks of money fields) — no rights checks there.

The services of a deal itself (those of ``deal``, ``listing``, ``view``, ``stages``,
``outcome`` and ``choices``) are also importable from here: ``deals.list_deals(ctx)``;
so are ``load_deal`` and ``save_deal`` (in a session: the visible deal under its
version, and its audited save), for the services of other areas that change a deal
inside their own transaction (the 1C exchange), which check the rights themselves.
"""

from __future__ import annotations

from qstui.services.deals._shared import load_deal, save_deal
from qstui.services.deals.choices import (
    contact_choices,
    manager_choices,
    source_choices,
)
from qstui.services.deals.deal import DEAL_FIELDS, create_deal, delete_deal, update_deal
from qstui.services.deals.listing import MAX_LIMIT, count_deals, list_deals
from qstui.services.deals.outcome import lose_deal, reopen_deal, win_deal
from qstui.services.deals.stages import (
    STAGE_DETAIL_FIELDS,
    move_to_stage,
    overdue_stages,
    set_stage_details,
    stage_ids_of,
)
from qstui.services.deals.view import deal_view, get_deal

__all__ = [
    "DEAL_FIELDS",
    "MAX_LIMIT",
    "STAGE_DETAIL_FIELDS",
    "contact_choices",
    "count_deals",
    "create_deal",
    "deal_view",
    "delete_deal",
    "get_deal",
    "list_deals",
    "load_deal",
    "lose_deal",
    "manager_choices",
    "move_to_stage",
    "overdue_stages",
    "reopen_deal",
    "save_deal",
    "set_stage_details",
    "source_choices",
    "stage_ids_of",
    "update_deal",
    "win_deal",
]
