"""Reports and the funnel (R1–R7): services that compute ``domain.reports.ReportTable``
objects in the database (GROUP BY on SQLite and Firebird), with the user's rights and
visibility applied, and list the rows behind a number (drill-down)."""
