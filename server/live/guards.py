"""Small checks at the socket's edge: the handshake's Origin, the per-socket message rate.

    >>> origin_allowed("http://127.0.0.1:8000", ["http://127.0.0.1:8000"], "127.0.0.1:8000")
    True
    >>> origin_allowed("http://evil.example", [], "127.0.0.1:8000")
    False
    >>> origin_allowed(None, [], "127.0.0.1:8000")
    False
"""
import time
from urllib.parse import urlsplit


def origin_allowed(origin: str | None, allowlist: list[str], host_header: str | None) -> bool:
    """Browsers always send Origin on a WebSocket handshake, and CORS does not protect sockets,
    so a page on another site could otherwise drive a learner's session (cross-site hijacking).
    An empty allowlist means: only pages served by this server (the Origin's host:port equals the
    Host the browser connected to). A missing or "null" Origin is refused.
    """
    if not origin or origin == "null":
        return False
    normalized = origin.rstrip("/").lower()
    if allowlist:
        return normalized in {allowed.rstrip("/").lower() for allowed in allowlist}
    parts = urlsplit(normalized)
    return parts.scheme in ("http", "https") and bool(host_header) and parts.netloc == host_header.lower()


class TokenBucket:
    """`rate` messages per second on average, bursts up to `burst`.

    >>> bucket = TokenBucket(rate=1, burst=2)
    >>> [bucket.take() for _ in range(3)]
    [True, True, False]
    """

    def __init__(self, rate: float, burst: int, clock=time.monotonic):
        self._rate, self._burst, self._clock = rate, burst, clock
        self._tokens, self._last = float(burst), clock()

    def take(self) -> bool:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
        self._last = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True
