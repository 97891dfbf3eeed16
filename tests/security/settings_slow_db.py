"""The production settings with a test-only URLconf: gunicorn runs this module in test_slow_database.py.

The endpoint that runs a 30 s query exists only here (tests/security/urls_slow_db.py), never in
portal.urls.
"""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "tests.security.urls_slow_db"
