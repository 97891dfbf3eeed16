from django.apps import AppConfig


class CachingConfig(AppConfig):
    """The page cache, fragments, generations and the Redis circuit breaker (docs/caching.md)."""

    name = "caching"
    verbose_name = "Caching"
