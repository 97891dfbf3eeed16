"""Vestnik settings: one module, configured from the environment.

With no environment at all the site runs locally on SQLite, local-memory cache and
media on local disk. Production sets DATABASE_URL, CACHE_URL, SECRET_KEY,
ALLOWED_HOSTS and friends (see README and .env.example).
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _
from PIL import Image as PILImage

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(DEBUG=(bool, False))
environ.Env.read_env(BASE_DIR / ".env")  # optional file; the real environment wins

DEBUG = env("DEBUG")
# The built-in key is for development and the test suite: with DEBUG off, `check --deploy` fails on it and
# portal.wsgi / portal.asgi (gunicorn, runserver) refuse to start (portal/checks.py).
SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-only-vestnik-development-key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
ADMINS = [("Ops", a) for a in env.list("ADMINS", default=[])]
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
SITE_NAME = "Вестник"  # the masthead, the newsroom, feeds, Google News and schema.org name it so

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "csp",
    "axes",
    # Reader accounts (accounts/): sign-up, sign-in, password reset, Google and Facebook (when configured).
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.facebook",
    "django_prose_editor",  # newsroom: the article body editor's static files (articles/forms.py)
    "django_tasks",  # Django's tasks API, backported: e-mail leaves the request (portal/mail.py)
    "django_tasks_db",  # its database backend: the task table and `manage.py db_worker`
    "portal",
    "caching",
    "articles",
    "comments",
    "frontpage",  # the home page's arrangement and the breaking-news banner (docs/frontpage.md)
    "accounts",  # reader accounts: the account page, the data download, deleting an account
    "pages",  # the site's own pages: За нас, Контакти, ... (linked from the footer)
]

MIDDLEWARE = [
    # The reader's language: the one chosen with the language switch, else Bulgarian (never Accept-Language).
    "portal.middleware.LanguageMiddleware",
    # Stored pages are answered before anything else runs, with the headers they were stored with; every
    # response gets its Cache-Control here (caching/pages.py, docs/caching.md).
    "caching.pages.PageCacheMiddleware",
    # Security headers next, so every response gets them, even a redirect or a 400 made by a later middleware.
    "portal.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body: 413 for one over MAX_UPLOAD_BYTES + 1 MB (nginx's client_max_body_size).
    "portal.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.StaffSessionTimeoutMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
                "articles.seo.page_meta",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and a management command share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"})
# A slow or unreachable PostgreSQL must not hold a gunicorn thread until its 30 s worker timeout: a
# connection attempt gives up after DATABASE_CONNECT_TIMEOUT seconds, a statement is cancelled by the
# server after DATABASE_STATEMENT_TIMEOUT milliseconds (the request then gets the 500 page). 0 turns either
# off. What DATABASE_URL itself sets (?connect_timeout=..., ?options=-c statement_timeout=...) wins.
DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=3)
DATABASE_STATEMENT_TIMEOUT = env.int("DATABASE_STATEMENT_TIMEOUT", default=5000)


def _bounded(database: dict) -> dict:
    """A DATABASES entry with CONN_HEALTH_CHECKS as a bool and, on PostgreSQL, the timeouts above
    (unless the URL gave its own)."""
    checks = database.get("CONN_HEALTH_CHECKS")
    if checks is not None and not isinstance(checks, bool):  # django-environ: ?conn_health_checks=false is "false"
        database["CONN_HEALTH_CHECKS"] = str(checks).lower() in ("1", "true", "yes", "on")
    if not database["ENGINE"].endswith(("postgresql", "postgis")):
        return database
    options = database.setdefault("OPTIONS", {})
    if DATABASE_CONNECT_TIMEOUT:
        options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
    startup = options.get("options", "")
    if DATABASE_STATEMENT_TIMEOUT and "statement_timeout" not in startup:
        options["options"] = f"{startup} -c statement_timeout={DATABASE_STATEMENT_TIMEOUT}".strip()
    return database


_bounded(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://vestnik")}
if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":
    # A cache outage degrades to "no cache" instead of failing the request.
    CACHES["default"].setdefault("OPTIONS", {})["IGNORE_EXCEPTIONS"] = True
    # A stopped Redis refuses at once; a frozen one must not hold a worker for long either.
    CACHES["default"]["OPTIONS"].setdefault("SOCKET_CONNECT_TIMEOUT", env.float("CACHE_CONNECT_TIMEOUT", default=0.25))
    CACHES["default"]["OPTIONS"].setdefault("SOCKET_TIMEOUT", env.float("CACHE_TIMEOUT", default=0.25))
    # A hung Redis costs a process one timeout, then calls fail fast for CACHE_BREAKER_SECONDS (misses).
    CACHES["default"]["OPTIONS"].setdefault("CONNECTION_POOL_CLASS", "caching.breaker.BreakerConnectionPool")
CACHE_BREAKER_SECONDS = env.float("CACHE_BREAKER_SECONDS", default=2.0)
# Failures django-redis ignores are logged, except those the breaker reports once (LOGGING, below).
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Caching (caching/, docs/caching.md). Pages for readers without reader state are stored for at most
# PAGE_CACHE_TTL seconds, and fragments too: that bounds whatever no generation covers (the "most read"
# box, relative times, writes that bypassed the ORM's signals).
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE_ENABLED", default=True)
PAGE_CACHE_TTL = env.int("PAGE_CACHE_TTL", default=60)
# s-maxage of shared answers: how long nginx's micro-cache (or any shared cache) may keep them.
PAGE_CACHE_SHARED_MAX_AGE = env.int("PAGE_CACHE_SHARED_MAX_AGE", default=1)
# Each process keeps this many bytes of pages it served lately (0: none, every hit reads Redis)...
PAGE_CACHE_LOCAL_BYTES = env.int("PAGE_CACHE_LOCAL_BYTES", default=32 * 1024 * 1024)
# ...and uses the generations it read for this long without asking Redis again (0: ask every time); a
# change made through another process shows within it. Readers with reader state always ask.
PAGE_CACHE_TRUST_SECONDS = env.float("PAGE_CACHE_TRUST_SECONDS", default=1.0)
# With a read replica: nothing built within this many seconds of a change is stored (replica lag).
PAGE_CACHE_SETTLE_SECONDS = env.int("PAGE_CACHE_SETTLE_SECONDS", default=0)
# Requests carrying any of these cookies hold reader state and are answered for that reader alone: the
# session (signed in), flash messages, one's own fresh comments (comments/security.py: the article's edit
# links, and the comment views), and the read-replica pin after a write (portal/db_router.py).
PAGE_CACHE_PERSONAL_COOKIES = [
    "__Host-sessionid",
    "sessionid",
    "__Host-messages",
    "messages",
    "vestnik_own",
    "vestnik_comments",
    "vestnik_primary",
]

# Scale-out: an optional PostgreSQL read replica (portal/db_router.py). Reads go to it; writes, reads
# in a transaction, whole non-GET requests and a browser's next DATABASE_REPLICA_PIN_SECONDS after it
# wrote go to the primary. Under pytest the replica mirrors the test database.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=5)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = _bounded(env.db("DATABASE_REPLICA_URL"))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["portal.db_router.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(0, "portal.db_router.PrimaryPinMiddleware")
    # Pages and fragments rendered from a lagging replica right after a change are not stored.
    PAGE_CACHE_SETTLE_SECONDS = env.int("PAGE_CACHE_SETTLE_SECONDS", default=2)


AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "bg"
LANGUAGES = [("bg", _("Bulgarian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as Bulgarians type and read them (04.12.2026, 14:46), on the site and in the newsroom: portal/formats/bg.
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "Europe/Sofia"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# Scale-out: media on S3-compatible object storage (django-storages) when a bucket is configured, so
# every app server sees every upload; local disk (MEDIA_ROOT) otherwise. Credentials come from the
# standard AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables, read by boto3 itself. The bucket policy
# (public reads) and the app's permissions: docs/deploy.md.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
# Scheme and host of media URLs when they are not this site's, for the CSP's img-src (below).
_MEDIA_ORIGIN = "/".join(MEDIA_URL.split("/", 3)[:3]) if MEDIA_URL.startswith("https://") else None


def _bucket_origin(options: dict) -> str:
    """Scheme and host of the URLs the S3 storage gives files: the custom domain's, else the bucket's address
    as botocore builds it (virtual-hosted or path style, as for the uploads). Worked out here, nothing is sent."""
    if options["custom_domain"]:
        return "https://" + options["custom_domain"].split("/", 1)[0]  # django-storages' url_protocol default
    import boto3
    from botocore import UNSIGNED

    client = boto3.session.Session().client(
        "s3",
        endpoint_url=options["endpoint_url"],
        region_name=options["region_name"],
        config=options["client_config"].merge(_S3Config(signature_version=UNSIGNED)),
    )
    url = client.generate_presigned_url("get_object", Params={"Bucket": options["bucket_name"], "Key": "x"})
    return "/".join(url.split("/", 3)[:3])


if AWS_STORAGE_BUCKET_NAME:
    from botocore.config import Config as _S3Config

    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),  # MinIO, Ceph, Hetzner, ...
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default=None),  # a CDN host in front of the bucket
            "querystring_auth": False,  # images are public; unsigned URLs keep pages cacheable
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=2592000"},
            # A stopped, unreachable or hung storage fails a request in about 10 s (the editor gets the form
            # back with a message), not past gunicorn's 30 s timeout: botocore's defaults wait 60 s to connect
            # and 60 s for an answer, up to five attempts. One retry rides out a blip.
            # "auto" addresses AWS buckets by host name, other endpoints by path (MinIO, a loopback server).
            "client_config": _S3Config(
                s3={"addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="auto")},
                connect_timeout=3,
                read_timeout=5,
                retries={"mode": "standard", "total_max_attempts": 2},
            ),
        },
    }
    _MEDIA_ORIGIN = _bucket_origin(STORAGES["default"]["OPTIONS"])


# Uploads: Pillow refuses anything above this many pixels (a decompression bomb).
MAX_IMAGE_PIXELS = env.int("MAX_IMAGE_PIXELS", default=40_000_000)
PILImage.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o644

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Вестник <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds an SMTP connection waits to connect and for each answer: a hung mail server costs a worker this
# long per step, never forever (Django's default is no limit).
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=10)

# Background work: Django's tasks API through the django-tasks backport. E-mail is sent by tasks
# (portal/mail.py, comments/notifications.py). The default "immediate" backend runs a task at once, in
# the process that enqueued it, after its transaction commits (development, the test suite); production
# sets TASKS_BACKEND=database: tasks are rows in the database, run by `manage.py db_worker` processes
# (docs/deploy.md), and the request only writes them. A dotted path names any other backend.
TASKS_BACKEND = env("TASKS_BACKEND", default="immediate")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }.get(TASKS_BACKEND, TASKS_BACKEND),
    }
}
# A message that could not be sent is tried again after these many minutes, one after the other; after the
# last it is given up (logged once). Needs a backend that can defer (database); "immediate" gives up at once.
MAIL_RETRY_MINUTES = env.list("MAIL_RETRY_MINUTES", cast=float, default=[1, 5, 15, 60])

# Security (docs/security.md). Safe by default; the flags that only make sense behind TLS follow SECURE_SSL,
# which is on whenever DEBUG is off. nginx terminates TLS and sets X-Forwarded-Proto; Django redirects
# plain HTTP to HTTPS itself (so the redirect holds even without nginx), except the load balancer's /healthz.
SECURE_SSL = env.bool("SECURE_SSL", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = False
USE_X_FORWARDED_PORT = False
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SECURE_SSL)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS: list[str] = []  # `check --deploy` must pass with nothing silenced

# Cookies: Secure behind TLS, SameSite=Lax, and `__Host-` names (Secure, Path=/, no Domain) so a sibling
# subdomain cannot plant or overwrite them. Messages live in the session, so they set no cookie of their own.
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
LANGUAGE_COOKIE_SECURE = SECURE_SSL
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "__Host-sessionid" if SECURE_SSL else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if SECURE_SSL else "csrftoken"
LANGUAGE_COOKIE_NAME = "__Host-language" if SECURE_SSL else "django_language"
MESSAGE_COOKIE_NAME = "__Host-messages" if SECURE_SSL else "messages"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
MESSAGE_STORAGE = "portal.messages.MessageCookieStorage"
CSRF_FAILURE_VIEW = "comments.views.csrf_failure"  # a refused comment or vote gets its form back
# Staff sessions end after an hour without a request, and 12 hours after sign-in whatever happens.
STAFF_SESSION_IDLE_TIMEOUT = env.int("STAFF_SESSION_IDLE_TIMEOUT", default=60 * 60)
STAFF_SESSION_MAX_AGE = env.int("STAFF_SESSION_MAX_AGE", default=12 * 60 * 60)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)

# Which peers may tell us the client's address in X-Forwarded-For (portal.security.client_ip). 0 proxies
# means REMOTE_ADDR is the client. Behind one nginx on this host: TRUSTED_PROXY_COUNT=1 (the default list
# trusts loopback only). Used by sign-in throttling, rate limits and security logs alike.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXY_IPS = env.list("TRUSTED_PROXY_IPS", default=["127.0.0.1/32", "::1/128"])

# Content-Security-Policy (django-csp 4): nothing is allowed unless listed; no inline script or style,
# no data: URLs, no third-party origins (but the media's own, _MEDIA_ORIGIN). Keep it this strict: put JS and
# CSS in static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"] + ([_MEDIA_ORIGIN] if _MEDIA_ORIGIN else []),
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Sign-in throttling (django-axes). 5 failures lock the username+address pair for 15 minutes, and 5
# failures from one address lock that address whatever usernames it tries (password spraying). An
# attacker elsewhere therefore cannot lock an editor out of their own address. Answered 429.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Readers sign in with their e-mail address (allauth calls authenticate(), so axes counts their failures too).
    "allauth.account.auth_backends.AuthenticationBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_CLIENT_IP_CALLABLE = "portal.security.client_ip"
AXES_LOCKOUT_CALLABLE = "portal.views.lockout"
AXES_RESET_ON_SUCCESS = False  # a success must not wipe the address counter that stops spraying
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False

ADMIN_URL = env("ADMIN_URL", default="redakcia/")

# Reader accounts (django-allauth; accounts/, README "Reader accounts"). A reader signs up with an e-mail
# address, the name shown under their comments and a password, and signs in once the address is verified;
# Google and Facebook sign-in exist only when their keys are set (no buttons, no URLs otherwise). The
# newsroom keeps its own staff-only sign-in at ADMIN_URL.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]  # and the name (accounts.forms.SignupForm)
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # the link opens a page with a button: a mail scanner confirms nothing
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True  # one address per reader, replaced once the new one is verified
ACCOUNT_EMAIL_NOTIFICATIONS = True  # "your password / address was changed" mails
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"{SITE_NAME}: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SECURE_SSL else "http"
ACCOUNT_USER_DISPLAY = "comments.services.display_name"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"
# Failed sign-ins are django-axes' to count (AXES_* above; allauth signs in through authenticate()): allauth's
# own per-address counter would let anyone lock a reader out from anywhere. Sign-up and password-reset mails
# are limited per client address and per e-mail address.
ACCOUNT_RATE_LIMITS = {
    "login_failed": None,
    "signup": "5/m/ip,30/h/ip",
    "reset_password": "5/m/ip,3/h/key",
}
AXES_USERNAME_CALLABLE = "accounts.adapter.axes_username"  # the e-mail address readers sign in with
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True  # a provider's verified address signs in the account that has it
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
# Links, not forms: a form posted to the site and redirected to the provider is blocked by the CSP's
# form-action 'self' in Chromium. The OAuth state (and PKCE) still ties each sign-in to the browser that began it.
SOCIALACCOUNT_LOGIN_ON_GET = True
SOCIALACCOUNT_PROVIDERS = {}
if env("GOOGLE_CLIENT_ID", default=""):
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [{"client_id": env("GOOGLE_CLIENT_ID"), "secret": env("GOOGLE_CLIENT_SECRET", default="")}],
        "SCOPE": ["openid", "email", "profile"],
        "OAUTH_PKCE_ENABLED": True,
    }
if env("FACEBOOK_APP_ID", default=""):
    SOCIALACCOUNT_PROVIDERS["facebook"] = {
        "APPS": [{"client_id": env("FACEBOOK_APP_ID"), "secret": env("FACEBOOK_APP_SECRET", default="")}],
        "METHOD": "oauth2",
        "SCOPE": ["email", "public_profile"],
        "FIELDS": ["id", "email", "first_name", "last_name", "name"],
    }

# Editorial settings.
ARTICLES_PER_PAGE = 20
RELATED_ARTICLES_LIMIT = 6

# Demo content: `manage.py seed_demo` calls these dotted paths in order, each a function seed(*, stdout) -> None
# that is safe to re-run; `seed_demo --reset` first calls each module's reset(*, stdout), in reverse order.
DEMO_SEEDERS = [
    "articles.demo.seed",
    "articles.demo_authors.seed",  # drawn portraits for the demo authors (feat-page)
    "articles.demo_body_media.seed",  # pictures in the text, a gallery, a YouTube embed (docs/body-media.md)
    "articles.demo_accounts.seed",  # one newsroom account per role, DEBUG only (passwords in the README)
    "comments.demo.seed",
    "articles.demo_live.seed",  # a live story, a correction, an update note
    "frontpage.demo.seed",  # a curated front page; the demo banner has ended (docs/frontpage.md)
    "accounts.demo.seed",  # one reader account with a comment, DEBUG only (password in accounts/demo.py)
]

# Comments (comments app): threading, limits, moderation chain and abuse defences. See comments/moderation.py.
COMMENTS_MAX_LENGTH = env.int("COMMENTS_MAX_LENGTH", default=2000)
COMMENTS_NAME_MAX_LENGTH = 50
COMMENTS_MAX_DEPTH = env.int("COMMENTS_MAX_DEPTH", default=4)  # top level is 0; deeper replies attach at this level
COMMENTS_THREADS_PER_PAGE = env.int("COMMENTS_THREADS_PER_PAGE", default=50)
COMMENTS_REPLIES_SHOWN = env.int("COMMENTS_REPLIES_SHOWN", default=10)  # per thread on the article page
COMMENTS_THREAD_PAGE_SIZE = 100  # comments per page of a thread's own page
COMMENTS_DEFAULT_SORT = "newest"
COMMENTS_CLOSE_AFTER_DAYS = env.int("COMMENTS_CLOSE_AFTER_DAYS", default=30)  # 0: never close automatically
COMMENTS_EDIT_MINUTES = 15
COMMENTS_MIN_SUBMIT_SECONDS = env.int("COMMENTS_MIN_SUBMIT_SECONDS", default=3)
COMMENTS_FORM_MAX_AGE = 2 * 3600
COMMENTS_DUPLICATE_MINUTES = 10
# "<count>/<s|m|h|d>" windows; every window must have room. Per client address and per author.
COMMENTS_RATE_POST_IP = env.list("COMMENTS_RATE_POST_IP", default=["2/m", "50/d"])
COMMENTS_RATE_POST_AUTHOR = env.list("COMMENTS_RATE_POST_AUTHOR", default=["2/m", "50/d"])
COMMENTS_RATE_VOTE = env.list("COMMENTS_RATE_VOTE", default=["30/m", "300/d"])
COMMENTS_RATE_REPORT = env.list("COMMENTS_RATE_REPORT", default=["20/h"])
# Moderation: "post" (visible at once) or "pre" (held until approved), site-wide; per article in admin.
COMMENTS_MODERATION = env("COMMENTS_MODERATION", default="post")
COMMENTS_UNSTAFFED_HOURS = env("COMMENTS_UNSTAFFED_HOURS", default="23:00-07:00")  # Europe/Sofia; "" = always staffed
COMMENTS_MAX_LINKS = env.int("COMMENTS_MAX_LINKS", default=3)  # this many links or more: held
COMMENTS_NEW_AUTHOR_HELD = env.int("COMMENTS_NEW_AUTHOR_HELD", default=2)  # first N comments of an author held
COMMENTS_REJECTION_RATE = 0.3  # of an author's decided comments in the window: held above this
COMMENTS_REJECTION_WINDOW_DAYS = 7
COMMENTS_LATIN_BULGARIAN = env("COMMENTS_LATIN_BULGARIAN", default="nudge")  # "hold", "nudge" or "allow"
COMMENTS_REPORT_THRESHOLD = env.int("COMMENTS_REPORT_THRESHOLD", default=3)
COMMENTS_COLLAPSE_SCORE = -5
COMMENTS_HIDE_SCORE = -10
COMMENTS_HASH_SALT = env("COMMENTS_HASH_SALT", default="")  # empty: derived from SECRET_KEY
# An Akismet-style spam checker (comments/spamcheck.py): its comment-check URL (empty: no check), API key,
# and the most seconds a post waits for it; on a timeout or error the comment is held for review.
COMMENTS_SPAM_CHECK_URL = env("COMMENTS_SPAM_CHECK_URL", default="")
COMMENTS_SPAM_CHECK_KEY = env("COMMENTS_SPAM_CHECK_KEY", default="")
COMMENTS_SPAM_CHECK_TIMEOUT = env.float("COMMENTS_SPAM_CHECK_TIMEOUT", default=2.0)
# Word lists (more in admin, "Moderation words"). Matched with Bulgarian endings; "*" ends a stem.
COMMENTS_BANNED_WORDS = ["идиот", "дебил", "кретен", "малоум*", "тъпанар", "курва", "путка", "шибан*", "fuck*"]
COMMENTS_SUSPECT_WORDS = ["глупак", "простак", "тъпак", "лъжец", "мръсник", "нещастник"]

# Findability: search, feeds, Google News sitemap, social cards, most read (articles/search.py,
# feeds.py, sitemaps.py, seo.py, stats.py).
SEARCH_MAX_QUERY_LENGTH = 200  # longer queries are cut, never refused
SEARCH_RESULTS_PER_PAGE = 20
FEED_ITEMS = 30
NEWS_SITEMAP_DAYS = 2  # Google News reads articles of the last two days; publication name: SITE_NAME
# Page views are counted in the cache and written by `manage.py flush_views` (run it every few minutes).
VIEW_DEDUPE_SECONDS = env.int("VIEW_DEDUPE_SECONDS", default=30 * 60)  # one reader, one article: one view
VIEW_COUNTER_HOURS = 48  # counters live this long in the cache; flush_views reads this far back
VIEW_COUNT_KEEP_DAYS = env.int("VIEW_COUNT_KEEP_DAYS", default=8)
MOST_READ_LIMIT = 5

# Logging: one escaped key=value line per record (portal/logging.py), so request data cannot forge lines.
# Security events carry event=<name>: Django's CSRF, DisallowedHost and permission-denied records and
# everything the apps report through portal.logging.security_event().
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        # A Redis outage is logged once by the circuit breaker, not once per cache call by django-redis.
        "reported_by_breaker": {"()": "caching.breaker.ReportedByBreaker"},
    },
    "formatters": {"logfmt": {"()": "portal.logging.LogfmtFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "logfmt"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replaces Django's default "django" handlers; records reach the console through the root logger.
        "django": {"handlers": [], "level": "INFO"},
        "django.request": {"handlers": ["mail_admins"], "level": "WARNING"},
        "django.security": {"handlers": [], "level": "WARNING"},
        "django_redis.cache": {"handlers": [], "filters": ["reported_by_breaker"]},
        # A forged Host header is the client's fault: log it, but never mail it.
        "django.security.DisallowedHost": {"handlers": [], "level": "WARNING"},
        "vestnik.security": {"handlers": [], "level": "INFO"},
        # django-axes' own chatter repeats what event=login_failed/login_lockout already say.
        "axes": {"handlers": [], "level": "ERROR"},
    },
}

# Live updates (docs/live-and-corrections.md): how often a reader's page asks for new updates, in seconds.
LIVE_POLL_SECONDS = env.int("LIVE_POLL_SECONDS", default=15)
