"""The production settings plus what the benchmark needs: the bare-Django ceiling URL and loopback rate limits.

Every client of a load test on one machine is 127.0.0.1, so the per-address comment limits are raised
here (only here): the write mix measures throughput, not the rate limiter.
"""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
COMMENTS_RATE_POST_IP = ["1000000/m"]
COMMENTS_RATE_POST_AUTHOR = ["1000000/m"]
COMMENTS_MIN_SUBMIT_SECONDS = 0
COMMENTS_NEW_AUTHOR_HELD = 0
COMMENTS_DUPLICATE_MINUTES = 0
