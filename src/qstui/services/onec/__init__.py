"""The 1C exchange as services: bases (E1) and the check of what a base publishes
(``bases``), the reference sync of counterparties and nomenclature (E2: ``sync_run``
over ``sync_match`` and the kinds ``sync_counterparties``, ``sync_nomenclature``), bank
statement import (E7, ``bank_import``).

Every function takes a ``Context`` and checks the right first: ``admin`` to manage
bases, ``onec.exchange`` to run an exchange or import. Passwords of 1C users are never
read from nor written to the database: they come from ``qstui.onec.secrets`` (the
environment or the admin's private config file).
"""
