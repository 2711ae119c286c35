"""Every error under /api/ is JSON with a Persian message (issue 22, point 3): also the
answers the API's own handlers never see — a path that names no operation, a method an
operation does not take."""

from peyvand.accounts.models import ApiToken


def test_a_path_that_names_no_operation_is_a_persian_json_404(client, personas):
    key = ApiToken.issue(personas.owner)[1]
    for headers in ({}, {"HTTP_AUTHORIZATION": f"Bearer {key}"}):
        response = client.get("/api/v1/no-such-thing", **headers)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert "پیدا نشد" in response.json()["detail"]


def test_a_method_an_operation_does_not_take_is_a_persian_json_405(client, personas):
    key = ApiToken.issue(personas.owner)[1]
    response = client.delete("/api/v1/calls", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"] == "روش DELETE برای این نشانی پذیرفته نیست."
    assert "GET" in response["Allow"]


def test_pages_outside_the_api_keep_their_html_errors(client, personas):
    client.force_login(personas.owner)
    response = client.get("/contacts/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
