"""gunicorn for Vestnik: `gunicorn -c gunicorn.conf.py portal.wsgi` (docs/deploy.md).

Sized for the 2-core machine this project runs on; every value can be changed from the environment.
"""

import os

# nginx on the same host proxies to this address; never expose it to the network.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Rendering is CPU-bound Python, so one process per core (plus one to cover the time a worker spends
# waiting for PostgreSQL or Redis) uses the cores without thrashing. Threads cover the remaining I/O
# waits and keep nginx's upstream connections alive (sync workers close each connection after a
# response). Measured on 2 cores (docs/performance.md): 3 workers × 4 threads.
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))

# A request that takes longer than this is a bug or a stuck dependency: the worker is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30  # time to finish in-flight requests on restart/deploy
keepalive = 5  # seconds an idle keep-alive connection from nginx stays open (nginx keeps 32 per worker)

# Recycle workers now and then (slow leaks in any library cannot grow without bound); the jitter keeps
# them from restarting at the same moment. High, because a page-cache hit is a fraction of a
# millisecond: at 5,000 a busy worker restarted every few seconds, each time with cold template,
# connection and page caches (bench/).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 100_000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 10_000))

# Load the application once in the master and fork: faster restarts, shared memory. Django opens no
# database connection at import time, so nothing is shared across the fork.
preload_app = True

# Logs to stdout/stderr for journald. The access log carries the client address nginx forwarded.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'

# Trust X-Forwarded-* only from the local nginx (Django reads X-Forwarded-Proto itself, see
# SECURE_PROXY_SSL_HEADER; client addresses come from portal.security.client_ip).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Request limits. The body: nginx's client_max_body_size 10m, and the app's own 413 above MAX_UPLOAD_BYTES
# (portal.middleware.RequestSizeLimitMiddleware). The request line: 414 above 4,094 bytes (gunicorn's
# default; the longest address the site makes, a search cut at 200 characters, is under 1,500 bytes).
# Headers: 431 above 100 fields or 8,190 bytes in one field (docs/reliability.md, 49).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
