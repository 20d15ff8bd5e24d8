"""The library's worker with short timeouts, set the documented way: a subclass."""

from django_strict_core.gunicorn import UvicornWorker


class QuickWorker(UvicornWorker):
    """Timeouts of a second or so, so that the tests need not wait for the defaults."""

    head_timeout = 1.0
    body_timeout = 1.5
