"""Reports (R1–R7): the report engine (``engine``: a spec computed with GROUP BY in the
database), the ready reports (``ready.READY``), drill-down (``drill``) and the exporters
(``export``: CSV, XLSX, JSON)."""
