"""Users and access (U1–U4): logging in, passwords, users and their rights,
the audit log, settings."""
