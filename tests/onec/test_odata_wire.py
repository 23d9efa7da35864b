"""The parts of the OData client that need no server: query options, keys in
``Location``, rows of a tabular section. The client against a real server on loopback
is in ``test_odata_client.py``."""

from __future__ import annotations

import pytest

from qstui.onec import odata
from qstui.onec.errors import OnecFormatError

REF = "b7569bcd-f670-11ea-8591-000c29b45b09"


def test_query_options_percent_encode_spaces_and_plus() -> None:
    query = odata.query_string(
        {"$filter": "ИНН eq '7707+1 2' and Ref_Key eq guid'" + REF + "'", "$top": 5, "$x": None}
    )
    assert "+" not in query and " " not in query
    assert "%20eq%20'7707%2B1%202'" in query
    assert f"guid'{REF}'" in query
    assert query.endswith("&$top=5")
    assert "$x" not in query


def test_url_of_a_key_and_of_posting() -> None:
    client = odata.ODataClient("http://127.0.0.1:1/b/odata/standard.odata", "u", "p")
    try:
        url = client.url(odata.key_path("Document_Х", REF.upper()) + "/Post", {"A": "false"})
    finally:
        client.close()
    assert url == (
        f"http://127.0.0.1:1/b/odata/standard.odata/Document_%D0%A5(guid'{REF}')/Post?A=false"
    )


@pytest.mark.parametrize(
    "location",
    [
        f"http://h/b/odata/standard.odata/Catalog_Контрагенты(guid'{REF}')",
        "http://h/b/odata/standard.odata/Catalog_%D0%9A%D0%BE(guid%27" + REF.upper() + "%27)",
    ],
)
def test_key_from_location(location: str) -> None:
    assert odata.key_from_location(location) == REF


def test_no_key_in_location() -> None:
    assert odata.key_from_location("http://h/b/Catalog_X") is None
    with pytest.raises(OnecFormatError):
        odata.key_from_location("http://h/b/Catalog_X(guid'zzzzzzzz-f670-11ea-8591-000c29b45b09')")


def test_rows_of_a_tabular_section_are_numbered_from_one() -> None:
    rows = odata.with_line_numbers([{"Количество": 1}, {"Количество": 2, "LineNumber": "9"}])
    assert [row["LineNumber"] for row in rows] == ["1", "2"]
    assert rows[0]["Количество"] == 1
