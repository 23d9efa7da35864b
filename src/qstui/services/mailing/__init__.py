"""Packages of materials sent by e-mail (P1): the SMTP server's settings, sending."""
