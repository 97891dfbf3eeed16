"""The nginx configurations, run for real on loopback: HTTPS redirect and media headers.

Both the site file ops install (deploy/nginx.conf) and the snippet in docs/security.md. Skipped where nginx
is not installed (`apt-get install -y nginx`). TLS is left out (the test has no certificate): the HTTPS
server blocks are served over plain HTTP on a loopback port, which changes nothing in the headers under test.
"""

import contextlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.factories import png_bytes

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "security.md"
DEPLOY = ROOT / "deploy" / "nginx.conf"
MIME_TYPES = Path("/etc/nginx/mime.types")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx not installed (apt-get install -y nginx)")


def documented_config() -> str:
    text = DOCS.read_text(encoding="utf-8")
    return text[text.index("# BEGIN vestnik-nginx") : text.index("# END vestnik-nginx")]


CONFIGS = {"docs": documented_config, "deploy": lambda: DEPLOY.read_text(encoding="utf-8")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def loopback_config(block: str, http_port: int, https_port: int, work: Path) -> str:
    """The production file with loopback ports, no TLS and the test's folders instead of /srv and /var."""
    block = block.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    block = re.sub(r"listen 443 ssl( default_server)?;", rf"listen 127.0.0.1:{https_port}\1;", block)
    block = re.sub(r"^\s*(listen \[::\].*|ssl_\w+ .*|http2 on;)\n", "", block, flags=re.MULTILINE)
    block = block.replace("/srv/vestnik", str(work / "site"))
    block = block.replace("/var/cache/nginx/vestnik", str(work / "cache"))
    return block.replace("/var/www/acme", str(work / "acme"))


@pytest.fixture(scope="module", params=sorted(CONFIGS))
def nginx(request, tmp_path_factory):
    if request.param == "deploy" and not DEPLOY.exists():
        pytest.skip("no deploy/nginx.conf")
    work = tmp_path_factory.mktemp(f"nginx-{request.param}")
    media = work / "site" / "media" / "images"
    media.mkdir(parents=True)
    (media / "photo.png").write_bytes(png_bytes() + b"<html><script>alert(1)</script></html>")
    (media / "photo.webp").write_bytes(png_bytes(fmt="WEBP"))
    (media / "page.html").write_bytes(b"<script>alert(1)</script>")
    (media / "logo.svg").write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    http_port, https_port = free_port(), free_port()
    site = loopback_config(CONFIGS[request.param](), http_port, https_port, work)
    with running_nginx(site, work, https_port):
        yield {"http": http_port, "https": https_port, "name": request.param}


@contextlib.contextmanager
def running_nginx(site: str, work: Path, port: int, *, connections: int = 64):
    """nginx serving the server blocks ``site`` from the folder ``work``, until the block ends; ready on ``port``."""
    temp_paths = "\n".join(
        f"    {name}_temp_path {work / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    mime = f"    include {MIME_TYPES};\n" if MIME_TYPES.exists() else ""  # as Debian's nginx.conf does
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the test's private temp folder
    conf = work / "nginx.conf"
    conf.write_text(
        f"{user}worker_processes 1;\npid {work / 'nginx.pid'};\nerror_log {work / 'error.log'};\n"
        f"events {{ worker_connections {connections}; }}\n"
        f"http {{\n    access_log off;\n{mime}{temp_paths}\n{site}\n}}\n"
    )
    check = subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(work)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(work), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, (work / "error.log").read_text()
                time.sleep(0.05)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)

    process.terminate()
    process.wait(timeout=10)


def fetch(port, path, host="vestnik.example"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path, headers={"Host": host})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


@pytest.mark.parametrize("host", ["vestnik.example", "www.vestnik.example"])
@pytest.mark.parametrize("path", ["/", "/2025/12/05/novina/?utm=x&a=1", "/redakcia/login/?next=/redakcia/"])
def test_plain_http_redirects_to_https_on_the_same_host(nginx, host, path):
    # The first hop stays on the host asked for (HSTS is set there); www -> apex happens over HTTPS.
    response, _ = fetch(nginx["http"], path, host=host)
    assert response.status == 301
    assert response.getheader("Location") == f"https://{host}{path}"


def test_the_health_probe_is_not_redirected(nginx):
    if nginx["name"] == "deploy":
        pytest.skip("deploy/nginx.conf probes /healthz over HTTPS")
    response, _ = fetch(nginx["http"], "/healthz")
    assert response.status != 301  # proxied to gunicorn (502 here, where none runs)


def assert_sandboxed(response):
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Content-Security-Policy") == "default-src 'none'; sandbox"
    assert response.getheader("Cross-Origin-Resource-Policy") == "same-origin"
    assert response.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload"
    assert "nginx/" not in (response.getheader("Server") or "")  # no version banner


@pytest.mark.parametrize(("name", "content_type"), [("photo.png", "image/png"), ("photo.webp", "image/webp")])
def test_images_are_inline_with_their_extension_type(nginx, name, content_type):
    response, _ = fetch(nginx["https"], f"/media/images/{name}")
    assert response.status == 200
    assert response.getheader("Content-Type") == content_type
    assert response.getheader("Content-Disposition").startswith("inline")
    if nginx["name"] == "docs":
        assert response.getheader("Content-Disposition") == f'inline; filename="{name}"'
    assert_sandboxed(response)


@pytest.mark.parametrize("name", ["page.html", "logo.svg"])
def test_other_files_are_never_served_as_a_document(nginx, name):
    response, body = fetch(nginx["https"], f"/media/images/{name}")
    if response.status == 404:  # deploy/nginx.conf serves images only
        assert b"<script>" not in body
        return
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/octet-stream"
    assert response.getheader("Content-Disposition") == "attachment"
    assert_sandboxed(response)


@pytest.mark.parametrize("path", ["/media/../nginx.conf", "/media/images/../../nginx.conf", "/media/%2e%2e/nginx.conf"])
def test_media_paths_cannot_climb_out(nginx, path):
    # nginx normalises the path first, so these never reach the media root's parent (here: 502 from the proxy).
    response, body = fetch(nginx["https"], path)
    assert response.status != 200
    assert b"worker_processes" not in body


@pytest.fixture
def english_upstream():
    """An app server that answers like gunicorn's request limits: 414 and 431 in English; /bad-request: 400."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status = {"/too-long": 414, "/headers": 431, "/bad-request": 400}.get(self.path.split("?")[0], 200)
            body = b"<html><body><h1>Bad Request</h1><p>Request Line is too large</p></body></html>"
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def test_requests_too_long_for_nginx_or_gunicorn_get_the_bulgarian_page(english_upstream, tmp_path):
    static = tmp_path / "site" / "staticfiles"
    for name in ("errors/request-too-long.html", "css/error.css"):
        (static / name).parent.mkdir(parents=True, exist_ok=True)
        (static / name).write_bytes((ROOT / "static" / name).read_bytes())
    http_port, https_port = free_port(), free_port()
    site = loopback_config(DEPLOY.read_text(encoding="utf-8"), http_port, https_port, tmp_path)
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{english_upstream};")
    with running_nginx(site, tmp_path, https_port):
        for path, status in [("/search/?q=" + "%D0%B0" * 2000, 414), ("/too-long", 414), ("/headers", 431)]:
            response, body = fetch(https_port, path)
            assert response.status == status, (status, len(path))
            assert "Адресът е твърде дълъг" in body.decode() and b"Request Line" not in body, (status, body[:200])
        response, body = fetch(https_port, "/bad-request")  # the site's own answers pass as they are
        assert response.status == 400 and b"Request Line is too large" in body
