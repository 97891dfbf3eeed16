"""Media on real object storage: the production storage settings pointed at an S3 server on loopback.

moto's S3 server (``python -m moto.server``) runs in a process of its own for the whole session, with a
bucket made by the fixture and fake credentials in the environment; portal/settings.py is evaluated with
``AWS_STORAGE_BUCKET_NAME``/``AWS_S3_ENDPOINT_URL``/``AWS_S3_REGION_NAME`` set, and its ``STORAGES`` and CSP
used as they are. Every byte goes over HTTP, as it would to AWS, MinIO or Hetzner.

- An editor's upload through the admin puts the original and its renditions in the bucket (nothing on disk),
  under generated names, with an image type and the settings' Cache-Control.
- The article page (<img src/srcset>), the feeds (enclosures), JSON-LD and Open Graph tags point at the
  bucket's URL or the custom domain, and each URL, fetched over HTTP, answers the image; the CSP lets pages
  load them.
- A replaced file gets new objects; a deleted image keeps its objects (docs/deploy.md says why).
- With the storage down, or failing half-way, the editor gets the form back with what they typed and a
  translated error, and nothing is kept: no row, no objects; an image given a new file stays as it was.

Skipped when moto is not installed; needs no PostgreSQL.
"""

import importlib
import importlib.util
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image as PILImage

from articles.models import Image
from articles.roles import EDITOR
from tests.factories import ArticleFactory, newsroom_user

pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("moto") is None or importlib.util.find_spec("storages") is None,
        reason="moto or django-storages not installed (pip install -r requirements-dev.txt): no S3 server to test",
    ),
    pytest.mark.django_db,
]

REGION = "eu-central-1"
BUCKET = "vestnik-media"
CACHE_CONTROL = "public, max-age=2592000"
ADD = "admin:articles_image_add"
PUBLIC_READ_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "PublicReadMedia",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
        }
    ],
}
FIELDS = {"caption": "Щъркели над Бургас", "credit": "БГНЕС", "alt_text": "Ято щъркели над морето"}
# No proxy for loopback, whatever the environment says.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def set_environ(values: dict[str, str | None]) -> dict[str, str | None]:
    """Set (None: unset) environment variables; what they were before, to put back the same way."""
    before = {name: os.environ.get(name) for name in values}
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    return before


def production_settings(**environ: str | None) -> dict:
    """``STORAGES`` and ``CONTENT_SECURITY_POLICY`` of portal/settings.py evaluated with ``environ`` (None:
    unset); the module is evaluated again afterwards, as it was."""
    import portal.settings as module

    before = set_environ(environ)
    try:
        fresh = importlib.reload(module)
        return {"STORAGES": fresh.STORAGES, "CONTENT_SECURITY_POLICY": fresh.CONTENT_SECURITY_POLICY}
    finally:
        set_environ(before)
        importlib.reload(module)


def storage_environ(endpoint: str, **more: str | None) -> dict:
    return {
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_S3_CUSTOM_DOMAIN": None,
        "AWS_S3_ADDRESSING_STYLE": None,
        **more,
    }


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """moto's S3 server on a free loopback port for the session, fake credentials in the environment."""
    home = tmp_path_factory.mktemp("aws")
    before = set_environ(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": None,
            "AWS_PROFILE": None,
            "AWS_DEFAULT_REGION": None,
            # No developer's ~/.aws files in play.
            "AWS_CONFIG_FILE": str(home / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
            "NO_PROXY": ",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1"])),
        }
    )
    port = free_port()
    log = (home / "moto.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"moto server did not start: {(home / 'moto.log').read_text()[-2000:]}")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        set_environ(before)


@pytest.fixture(scope="session")
def s3_client(s3_endpoint):
    """A plain boto3 client on the server, to look into the bucket behind the application's back."""
    import boto3

    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    # docs/deploy.md's bucket policy: anyone may read objects; objects are private without it (403).
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ_POLICY))
    return client


@pytest.fixture(scope="session")
def bucket_settings(s3_endpoint, s3_client):
    return production_settings(**storage_environ(s3_endpoint))


@dataclass
class Bucket:
    endpoint: str
    client: object

    @property
    def url(self) -> str:
        """What every public URL of a file starts with (path-style addressing on a loopback endpoint)."""
        return f"{self.endpoint}/{BUCKET}/"

    def keys(self) -> set[str]:
        listing = self.client.list_objects_v2(Bucket=BUCKET)
        return {item["Key"] for item in listing.get("Contents", [])}

    def head(self, key: str) -> dict:
        return self.client.head_object(Bucket=BUCKET, Key=key)

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=BUCKET, Key=key)["Body"].read()

    def empty(self) -> None:
        for key in self.keys():
            self.client.delete_object(Bucket=BUCKET, Key=key)


def use_storage(settings, production: dict) -> None:
    settings.STORAGES = {**settings.STORAGES, "default": production["STORAGES"]["default"]}
    settings.CONTENT_SECURITY_POLICY = production["CONTENT_SECURITY_POLICY"]


@pytest.fixture
def bucket(settings, s3_endpoint, s3_client, bucket_settings):
    """The production storage settings pointed at the server's bucket, emptied for each test."""
    found = Bucket(s3_endpoint, s3_client)
    found.empty()
    use_storage(settings, bucket_settings)
    return found


@pytest.fixture
def editor(client):
    client.force_login(newsroom_user(EDITOR))
    return client


def jpeg(size=(1300, 700), color=(30, 90, 160)) -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


def post_image(client, data: bytes, url: str | None = None, **fields):
    payload = {**FIELDS, **fields, "file": SimpleUploadedFile("Снимка от репортер.jpg", data, "image/jpeg")}
    return client.post(url or reverse(ADD), payload)


def upload(client, data: bytes | None = None) -> Image:
    response = post_image(client, data or jpeg())
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    return Image.objects.get()


def stored_names(image: Image) -> set[str]:
    return {image.file.name, *image.renditions.values()}


def fetch(url: str) -> tuple[int, str, bytes]:
    """Status, Content-Type and body of a GET without credentials, as a browser or a CDN makes it."""
    with OPENER.open(url, timeout=10) as response:
        assert response.headers["Cache-Control"] == CACHE_CONTROL, url
        return response.status, response.headers["Content-Type"], response.read()


def local_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def page_image_urls(html: str) -> dict[str, list[str]]:
    """Image URLs a page hands out: the article's <img src> and srcset, og:/twitter:image, JSON-LD."""
    import lxml.html

    tree = lxml.html.fromstring(html)
    img = tree.xpath('//figure[@class="article__figure"]/img')[0]
    json_ld = [json.loads(s.text) for s in tree.xpath('//script[@type="application/ld+json"]')]
    return {
        "src": [img.get("src")],
        "srcset": [part.strip().split(" ")[0] for part in img.get("srcset").split(",")],
        "og": tree.xpath('//meta[@property="og:image"]/@content'),
        "twitter": tree.xpath('//meta[@name="twitter:image"]/@content'),
        "json_ld": [url for data in json_ld if data.get("@type") == "NewsArticle" for url in data["image"]],
    }


def feed_enclosures(client) -> list[tuple[str, int]]:
    import feedparser

    found = []
    for path in ("/feeds/rss/", "/feeds/atom/"):
        feed = feedparser.parse(client.get(path).content)
        assert not feed.bozo, feed.bozo_exception
        found += [(e.href, int(e.length)) for entry in feed.entries for e in entry.enclosures]
    return found


# --- uploads ------------------------------------------------------------------------------------


def test_an_editors_upload_stores_the_original_and_its_renditions_in_the_bucket(editor, bucket, settings):
    image = upload(editor)
    assert image.file.name.startswith("images/") and "Снимка" not in image.file.name
    assert sorted(image.renditions, key=int) == ["320", "640", "960", "1200"]
    assert bucket.keys() == stored_names(image)
    assert local_files(settings) == []  # nothing went to MEDIA_ROOT
    for key in stored_names(image):
        head = bucket.head(key)
        assert head["ContentType"] == ("image/jpeg" if key == image.file.name else "image/webp")
        assert head["CacheControl"] == CACHE_CONTROL
    with PILImage.open(io.BytesIO(bucket.read(image.file.name))) as original:
        assert original.size == (1300, 700) and (image.width, image.height) == (1300, 700)
    with PILImage.open(io.BytesIO(bucket.read(image.renditions["640"]))) as rendition:
        assert rendition.format == "WEBP" and rendition.width == 640


# --- what readers are given --------------------------------------------------------------------


def test_pages_feeds_json_ld_and_og_tags_point_at_the_bucket_and_it_serves_the_images(editor, client, bucket):
    image = upload(editor)
    ArticleFactory(lead_image=image)
    client.logout()  # a reader
    article = Image.objects.get().articles.get()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    urls = page_image_urls(response.content.decode())
    urls["enclosures"] = [url for url, _ in feed_enclosures(client)]
    assert all(urls.values()), urls
    for kind, found in urls.items():
        for url in found:
            assert url.startswith(bucket.url), (kind, url)
            assert "?" not in url, (kind, url)  # unsigned: the same URL for everyone, cacheable
            key = url.removeprefix(bucket.url)
            assert key in stored_names(image), (kind, url)
            status, content_type, body = fetch(url)
            assert status == 200 and content_type.startswith("image/"), (kind, url, content_type)
            assert body == bucket.read(key)
    assert urls["srcset"] == [f"{bucket.url}{image.renditions[w]}" for w in ("320", "640", "960", "1200")]
    for url, length in feed_enclosures(client):
        assert length == bucket.head(url.removeprefix(bucket.url))["ContentLength"]


def test_the_csp_lets_pages_load_images_from_the_bucket(editor, client, bucket):
    ArticleFactory(lead_image=upload(editor))
    client.logout()
    response = client.get(Image.objects.get().articles.get().get_absolute_url())
    directives = dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";") if d.strip())
    assert directives["img-src"].split() == ["'self'", bucket.endpoint]
    assert bucket.endpoint + "/" not in response["Content-Security-Policy"]  # an origin, not a path


def test_with_a_custom_domain_every_image_url_uses_it(editor, client, bucket, settings, s3_endpoint):
    host = s3_endpoint.removeprefix("http://")
    # The server stands in for a CDN in front of the bucket (the bucket's path in the domain setting, as
    # some CDNs need). Production's CDN speaks https, django-storages' default; the stand-in plain http.
    production = production_settings(**storage_environ(s3_endpoint, AWS_S3_CUSTOM_DOMAIN=f"{host}/{BUCKET}"))
    assert production["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == ["'self'", f"https://{host}"]
    production["STORAGES"]["default"]["OPTIONS"]["url_protocol"] = "http:"
    use_storage(settings, production)
    image = upload(editor)
    ArticleFactory(lead_image=image)
    client.logout()
    urls = page_image_urls(client.get(image.articles.get().get_absolute_url()).content.decode())
    urls["enclosures"] = [url for url, _ in feed_enclosures(client)]
    assert all(urls.values()), urls
    for kind, found in urls.items():
        for url in found:
            assert url.removeprefix(f"http://{host}/{BUCKET}/") in stored_names(image), (kind, url)
            status, content_type, _ = fetch(url)
            assert status == 200 and content_type.startswith("image/"), (kind, url)


# --- replacing and deleting ---------------------------------------------------------------------


def test_a_replaced_file_gets_new_objects_and_pages_show_them(editor, client, bucket):
    image = upload(editor, jpeg(color=(200, 30, 30)))
    article = ArticleFactory(lead_image=image)
    old = stored_names(image)
    response = post_image(
        editor, jpeg(size=(800, 600), color=(30, 200, 30)), reverse("admin:articles_image_change", args=[image.pk])
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    image.refresh_from_db()
    new = stored_names(image)
    assert new.isdisjoint(old) and sorted(image.renditions, key=int) == ["320", "640", "800"]
    assert (image.width, image.height) == (800, 600)
    # The old objects stay: pages, feeds and social cards already handed out still name them (docs/deploy.md).
    assert bucket.keys() == old | new
    client.logout()
    urls = page_image_urls(client.get(article.get_absolute_url()).content.decode())
    shown = {url.removeprefix(bucket.url) for found in urls.values() for url in found}
    assert shown <= new, shown - new
    with PILImage.open(io.BytesIO(fetch(urls["src"][0])[2])) as shown_image:
        assert shown_image.convert("RGB").getpixel((5, 5))[1] > 150  # the new, green picture


def test_a_deleted_image_leaves_the_article_and_keeps_its_objects(editor, client, bucket):
    image = upload(editor)
    article = ArticleFactory(lead_image=image)
    names = stored_names(image)
    response = editor.post(reverse("admin:articles_image_delete", args=[image.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Image.objects.exists()
    article.refresh_from_db()
    assert article.lead_image is None
    # Kept on purpose (docs/deploy.md, "Media on object storage"): URLs already out keep working.
    assert bucket.keys() == names
    assert fetch(f"{bucket.url}{image.file.name}")[0] == 200


# --- the storage fails --------------------------------------------------------------------------


def storage_error(response) -> list[str]:
    assert response.status_code == 200
    return response.context["adminform"].form.errors["file"]


def expected_storage_error() -> str:
    from articles.admin import STORAGE_UNAVAILABLE

    with translation.override("bg"):
        return str(STORAGE_UNAVAILABLE)


def english_storage_error() -> str:
    from articles.admin import STORAGE_UNAVAILABLE

    with translation.override("en"):
        return str(STORAGE_UNAVAILABLE)


def assert_form_kept_what_was_typed(response) -> None:
    html = response.content.decode()
    assert '<html lang="bg"' in html  # the newsroom speaks Bulgarian, and so does the error
    for value in FIELDS.values():
        assert f'value="{value}"' in html or f">{value}</textarea>" in html, value


def test_an_upload_while_the_storage_is_down_gives_the_form_back_and_keeps_nothing(editor, bucket, settings):
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    use_storage(settings, production_settings(**storage_environ(closed)))
    started = time.monotonic()
    response = post_image(editor, jpeg())
    elapsed = time.monotonic() - started
    assert storage_error(response) == [expected_storage_error()]
    assert_form_kept_what_was_typed(response)
    assert not Image.objects.exists()
    assert bucket.keys() == set() and local_files(settings) == []
    assert elapsed < 10, f"{elapsed:.1f} s: the storage's timeouts and retries are too long for an upload"
    if expected_storage_error() == english_storage_error():
        pytest.xfail("the storage error has no Bulgarian translation yet (locale/bg/LC_MESSAGES/django.po)")


def test_a_new_file_while_the_storage_is_down_leaves_the_image_as_it_was(editor, bucket, settings):
    image = upload(editor)
    before = (image.file.name, image.renditions, image.width)
    use_storage(settings, production_settings(**storage_environ(f"http://127.0.0.1:{free_port()}")))
    change = reverse("admin:articles_image_change", args=[image.pk])
    response = post_image(editor, jpeg(size=(800, 600)), change, caption="Нов надпис")
    assert storage_error(response) == [expected_storage_error()]
    assert 'value="Нов надпис"' in response.content.decode()
    image = Image.objects.get()  # not refresh_from_db(): it would read the old file's size from the storage
    assert (image.file.name, image.renditions, image.width) == before and image.caption == FIELDS["caption"]
    assert bucket.keys() == stored_names(image)


def test_a_storage_failing_half_way_removes_what_was_written(editor, bucket, monkeypatch):
    from botocore.exceptions import EndpointConnectionError
    from storages.backends.s3 import S3Storage

    real_save, calls = S3Storage._save, []

    def save_then_fail(self, name, content):
        calls.append(name)
        if len(calls) == 3:  # the original and the first rendition are in the bucket by now
            raise EndpointConnectionError(endpoint_url=bucket.endpoint)
        return real_save(self, name, content)

    monkeypatch.setattr(S3Storage, "_save", save_then_fail)
    response = post_image(editor, jpeg())
    assert storage_error(response) == [expected_storage_error()]
    assert_form_kept_what_was_typed(response)
    assert len(calls) == 3 and calls[0].startswith("images/") and calls[1].startswith("renditions/")
    assert not Image.objects.exists()
    assert bucket.keys() == set()  # the original and the rendition written before the failure are gone
