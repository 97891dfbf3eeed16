"""The fault harness does what the fault tests rely on (tools/chaos.py)."""

import socket
import socketserver
import threading

import pytest

from tools.chaos import TcpProxy, form_fields, percentile


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        while data := self.request.recv(1024):
            self.request.sendall(data)


@pytest.fixture
def echo():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def roundtrip(port: int, payload: bytes = b"ping") -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
        s.sendall(payload)
        return s.recv(1024)


def test_proxy_relays_refuses_when_down_and_hangs_when_frozen(echo):
    proxy = TcpProxy("127.0.0.1", echo).start()
    try:
        assert roundtrip(proxy.port) == b"ping"
        held = socket.create_connection(("127.0.0.1", proxy.port), timeout=0.5)
        held.sendall(b"a")
        assert held.recv(10) == b"a"
        proxy.down()
        assert held.recv(10) == b""  # the open connection was dropped
        with pytest.raises(ConnectionRefusedError):
            roundtrip(proxy.port)
        proxy.up()
        assert roundtrip(proxy.port) == b"ping"
        proxy.freeze()
        with pytest.raises(TimeoutError):
            roundtrip(proxy.port)
        proxy.down()  # from frozen straight to down, then back
        proxy.up()
        assert roundtrip(proxy.port, b"again") == b"again"
    finally:
        proxy.stop()


def test_form_fields_reads_the_comment_form_only():
    html = (
        '<form class="search"><input name="q" value="x"></form>'
        '<form class="comment-form" method="post" data-comment-form>'
        '<input type="hidden" name="csrfmiddlewaretoken" value="abc">'
        '<input type="hidden" name="token" value="t1" id="id_token"><textarea name="body"></textarea></form>'
    )
    assert form_fields(html) == {"csrfmiddlewaretoken": "abc", "token": "t1"}


def test_percentile():
    assert percentile([], 95) == 0
    assert percentile(list(range(1, 101)), 95) == 95
    assert percentile([3.0], 50) == 3.0
