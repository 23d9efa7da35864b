"""Reports and the funnel (R1–R7): services that compute ``domain.reports.ReportTable``
objects in the database (GROUP BY on SQLite and Firebird), with the user's rights and
visibility applied — the report engine (``engine``: a spec computed with GROUP BY), the
ready reports (``ready.READY``: sales, sources, refusals, claims on the engine; funnel,
managers, receivables, forecast in their own modules), drill-down (``drill``) and the
exporters (``export``: CSV, XLSX, JSON)."""
