"""E-mail through the SMTP server the admin configured (packages, P1)."""
