"""Uploaded media can never run as a page: the development server sends the production (nginx) headers."""

import importlib

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import clear_url_caches

from portal import views
from tests.factories import png_bytes

POLYGLOT = png_bytes() + b"<html><script>alert(document.cookie)</script></html>"


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    (root / "images").mkdir(parents=True)
    (root / "images" / "photo.png").write_bytes(POLYGLOT)
    (root / "images" / "photo.jpg").write_bytes(png_bytes(fmt="JPEG"))
    (root / "images" / "page.html").write_bytes(b"<script>alert(1)</script>")
    (root / "images" / "logo.svg").write_bytes(
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )
    (root / "images" / "shell.php.png").write_bytes(b"<?php system($_GET['c']); ?>")
    (root / "images" / "noext").write_bytes(b"<html>hi</html>")
    settings.MEDIA_ROOT = root
    return root


def get(path):
    return views.serve_media(RequestFactory().get("/media/" + path), path)


def assert_sandboxed(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"


@pytest.mark.parametrize(
    ("path", "content_type"), [("images/photo.png", "image/png"), ("images/photo.jpg", "image/jpeg")]
)
def test_images_are_served_inline_with_the_type_of_their_extension(media, path, content_type):
    response = get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    name = path.rsplit("/", 1)[1]
    assert response.headers["Content-Disposition"] == f'inline; filename="{name}"'
    assert_sandboxed(response)


@pytest.mark.parametrize("path", ["images/page.html", "images/logo.svg", "images/noext"])
def test_anything_else_is_a_download_never_a_page(media, path):
    response = get(path)
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert_sandboxed(response)


def test_a_double_extension_is_judged_by_the_last_one(media):
    response = get("images/shell.php.png")
    assert response.headers["Content-Type"] == "image/png"  # never executed: nginx and Django only serve bytes
    assert_sandboxed(response)


def test_paths_cannot_leave_the_media_folder(media):
    (media.parent / "secret.txt").write_text("SECRET_KEY=x")
    for path in ("../secret.txt", "images/../../secret.txt", "/etc/passwd", "..%2fsecret.txt"):
        with pytest.raises((Http404, SuspiciousFileOperation)):  # 404 or 400 through the handler
            get(path)


@pytest.fixture
def debug_urls(settings):
    """portal.urls as `make run` builds it (DEBUG on), restored afterwards."""
    import portal.urls

    settings.DEBUG = True
    importlib.reload(portal.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(portal.urls)
    clear_url_caches()


def test_the_development_server_routes_media_through_the_wrapper(db, media, debug_urls):
    response = Client().get("/media/images/photo.png")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert_sandboxed(response)  # the site's own CSP does not replace the sandbox
    response = Client().get("/media/images/page.html")
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert_sandboxed(response)


def test_production_urls_do_not_serve_media(db, media):
    assert Client().get("/media/images/photo.png").status_code == 404
