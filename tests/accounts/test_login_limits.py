"""Failed logins are limited: after ten for one username (or fifty from one address) in
fifteen minutes, even the right password waits, with a Persian reason; the API's token
endpoint shares the count."""

import pytest
from django.urls import reverse

from peyvand.accounts import login_limits
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_ten_failures_lock_the_username_for_a_while(client):
    UserFactory(username="reza")
    url = reverse("accounts:login")
    for _ in range(login_limits.PER_USERNAME):
        wrong = client.post(url, {"username": "reza", "password": "wrong"})
        assert "نام کاربری یا گذرواژه درست نیست." in wrong.content.decode()
    locked = client.post(url, {"username": "Reza", "password": "peyvand-demo"})
    assert "۱۵ دقیقه دیگر دوباره امتحان کنید" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    api = client.post(
        "/api/v1/auth/token",
        {"username": "reza", "password": "peyvand-demo"},
        content_type="application/json",
    )
    assert api.status_code == 429 and "۱۵ دقیقه" in api.json()["detail"]
    # Another account from elsewhere is not affected.
    UserFactory(username="sara")
    other = client.post(
        url, {"username": "sara", "password": "peyvand-demo"}, REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 302


def test_a_success_before_the_limit_logs_in(client):
    UserFactory(username="reza")
    url = reverse("accounts:login")
    for _ in range(3):
        client.post(url, {"username": "reza", "password": "wrong"})
    assert client.post(url, {"username": "reza", "password": "peyvand-demo"}).status_code == 302
