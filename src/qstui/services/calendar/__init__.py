"""The calendar and interactions (K1–K4): plans, calls, meetings, letters,
their types and results, and the analysis of contacts."""
