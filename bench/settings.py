"""The production settings plus loopback rate limits for the benchmark's write mix (bench/load.py).

Every client of a load test on one machine is 127.0.0.1, so the per-address comment limits are raised
here (only here): the write mix measures throughput, not the rate limiter.
"""

from portal.settings import *  # noqa: F403

COMMENTS_RATE_POST_IP = ["1000000/m"]
COMMENTS_RATE_POST_AUTHOR = ["1000000/m"]
COMMENTS_MIN_SUBMIT_SECONDS = 0
COMMENTS_NEW_AUTHOR_HELD = 0
COMMENTS_DUPLICATE_MINUTES = 0
