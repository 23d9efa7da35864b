"""Benchmarks of qstui: scripts and packages that print figures (``make bench``)."""
