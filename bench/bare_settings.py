"""The floor a page-cache hit is compared with: Django with one view, no middleware and no apps (bench/load.py).

gunicorn serves it with gunicorn.conf.py and portal.wsgi like the site (this module is named by
DJANGO_SETTINGS_MODULE), and its view answers the article page's very bytes: what is left of a
request's cost is gunicorn, Django's request handling and URL resolution.
"""

SECRET_KEY = "bench-bare-floor-only"  # noqa: S105 - signs nothing: no sessions, no forms
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.bare_urls"
DATABASES: dict = {}
USE_TZ = True
