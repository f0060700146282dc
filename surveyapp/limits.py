"""Rate limits on the public form and API (Flask-Limiter), and trusted proxies (ProxyFix).

Limits count per client and questionnaire. The client is a keyed hash of its IP
address (HMAC with the secret key), so no raw address is kept even in the limit
store. The in-memory store (the default) counts per worker process: with N
gunicorn workers a client gets up to N times the limit. Several workers or
machines share a Redis store (``SURVEYAPP_REDIS_URL``, or an explicit
``SURVEYAPP_RATELIMIT_STORAGE_URL``). While that store is unreachable, limits are
counted in memory per process rather than refusing every submission.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app, request
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix

from surveyapp import rate_memory


def client_key() -> str:
    """Return a keyed hash of the client's address (never the address itself)."""
    address = (request.remote_addr or "unknown").encode()
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"client:" + address, hashlib.sha256).hexdigest()[:24]


def client_and_questionnaire() -> str:
    """Key limits by client and questionnaire slug (the API's body slug or the URL's)."""
    view_args = request.view_args or {}
    slug = view_args.get("slug") or "-"
    return f"{client_key()}:{slug}"


def submit_limit() -> str:
    return str(current_app.config["RATELIMIT_SUBMIT"])


def view_limit() -> str:
    return str(current_app.config["RATELIMIT_VIEW"])


limiter = Limiter(key_func=client_key, headers_enabled=True, key_prefix="surveyapp")


def init_app(app: Flask) -> None:
    """Trust the configured proxies and start the limiter (settings from config.py)."""
    proxies = int(app.config["PROXY_COUNT"])
    if proxies:
        # Trust X-Forwarded-For/-Proto/-Host only from that many proxies in front.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    if not str(app.config["RATELIMIT_STORAGE_URI"]).startswith("memory://"):
        # A shared store that is down must not turn every form into an error page:
        # count in memory until it answers again (Flask-Limiter checks periodically).
        app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
        app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
        if str(app.config["RATELIMIT_STORAGE_URI"]).startswith(("redis", "rediss", "unix")):
            # Fail fast: a request waits at most this long for an unreachable store.
            app.config.setdefault(
                "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1}
            )
    uri = str(app.config["RATELIMIT_STORAGE_URI"])
    if uri.startswith("memory://"):
        # The same per-process counting as memory://, without its timer thread and
        # per-key lock on every hit (surveyapp/rate_memory.py). The setting itself is
        # left as configured (surveyapp serve warns about per-process limits).
        app.config["RATELIMIT_STORAGE_URI"] = f"{rate_memory.SCHEME}://"
        try:
            limiter.init_app(app)
        finally:
            app.config["RATELIMIT_STORAGE_URI"] = uri
        return
    limiter.init_app(app)
