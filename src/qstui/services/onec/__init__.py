"""The 1C exchange as services: bases (E1) and the check of what a base publishes; bank
statement import (E7, ``bank_import``).

Every function takes a ``Context`` and checks the right first: ``admin`` to manage
bases, ``onec.exchange`` to import. Passwords of 1C users are never read from nor written
to the database: they come from ``qstui.onec.secrets`` (the environment or the admin's
private config file).
"""
