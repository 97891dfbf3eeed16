"""Host header spoofing is refused; X-Forwarded-Host is never believed."""

import logging

import pytest
from django.contrib.auth.forms import PasswordResetForm
from django.test import Client, RequestFactory

from tests.portal.conftest import HTTPS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("scheme_headers", [{}, {"X-Forwarded-Proto": "https"}], ids=["http", "https"])
@pytest.mark.parametrize("host", ["evil.example", "evil.example:443", "testserver.evil.example", "testserver@evil"])
def test_a_foreign_host_gets_400_and_one_log_record(production, caplog, host, scheme_headers):
    with caplog.at_level(logging.WARNING):
        response = Client().get("/", headers={**scheme_headers, "Host": host})
    assert response.status_code == 400
    assert "Невалидна заявка" in response.content.decode()
    assert "evil" not in response.content.decode()
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in records] == ["django.security.DisallowedHost"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response.headers


def test_x_forwarded_host_is_ignored_in_absolute_urls(production, page_urls):
    response = Client().get(page_urls["article"], headers={**HTTPS, "X-Forwarded-Host": "evil.example"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "evil.example" not in html
    assert "https://testserver/" in html  # the canonical link is built from the real Host


def test_password_reset_mail_never_links_to_a_spoofed_host(production, editor, monkeypatch):
    # The project has no public reset page yet; drive the form's own save() and look at what it would mail.
    sent = []
    monkeypatch.setattr(PasswordResetForm, "send_mail", lambda self, *args, **kwargs: sent.append(args[2]))
    request = RequestFactory().post(
        "/", headers={"Host": "testserver", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    )
    form = PasswordResetForm(data={"email": editor.email})
    assert form.is_valid()
    form.save(request=request, use_https=True)
    assert len(sent) == 1
    context = sent[0]
    assert context["domain"] == "testserver"
    assert context["protocol"] == "https"
    assert "evil.example" not in request.build_absolute_uri("/")
