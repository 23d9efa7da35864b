"""Exchange with 1C:Enterprise over its standard OData interface, and bank statements.

- ``mapping``  — object and field names of each configuration (bp30, ut11, unf): data only
- ``values``   — 1C values both ways (Int64 strings, Decimal numbers, empty GUID/date)
- ``records``, ``parsers`` — typed records and the parsers of OData JSON into them
- ``metadata`` — ``$metadata`` (EDMX): published entity sets and property types
- ``odata``    — the HTTP client (httpx): paging, filters, errors, retries, writes
- ``reading``  — typed reading of a role's objects with ``$select``
- ``secrets``  — where a base's 1C password is kept (never the shared database)
- ``errors``   — what can go wrong, as one-line ``ServiceError``s
- ``simulator`` — a stand-in 1C base on HTTP for demos and tests
- ``clientbank`` — bank statements (1CClientBankExchange): decoding, parsing, and the pure
  matching of incoming payments to clients and deals

Nothing here reads or writes qstui's database or imports Textual; the services (``services.onec``)
join it with qstui's data.
"""
