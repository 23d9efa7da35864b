"""Clients (C1–C8): companies, their card, contacts, requisites and terms,
filters, groups, claims, custom fields, duplicates, import and export. Modules
whose name starts with ``_`` skip the rights checks and are private to this area."""
