"""Downloading a feed or a page: politely, within a deadline and a size, following redirects with care."""

from __future__ import annotations

import email.utils
import socket
import threading
import time
import zlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from newscli import __version__

USER_AGENT = f"newscli/{__version__} (+https://pypi.org/project/newscli/)"
CONNECT_TIMEOUT = 10.0
MAX_REDIRECTS = 5
PER_HOST = 2
RETRY_PAUSE = 1.0  # seconds before the one retry of a 5xx or a network error
MAX_RETRY_AFTER = 30.0  # a longer Retry-After is left to the next fetch
MAX_WAIT = 86400.0  # the longest a server may ask newscli to wait before asking again (Retry-After)
INFLATE_STEP = 64 * 1024  # bytes decompressed at a time, so that a bomb is stopped at the size limit


class FetchError(Exception):
    """Why a URL gave nothing usable; `status` is the HTTP status, if there was one."""

    def __init__(self, message: str, status: int | None = None, retry_at: float | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.retry_at = message, status, retry_at


@dataclass(slots=True)
class Response:
    url: str  # where the body came from, after redirects
    status: int
    body: bytes
    headers: dict[str, str]
    moved_to: str | None = None  # a permanent redirect's target: where the subscription should point


@dataclass
class Client:
    """One per fetch run: it shares connections, and lets at most PER_HOST feeds be fetched from one host at a time."""

    timeout: float = 30.0  # the whole of one request, redirects and retries included
    max_bytes: int = 10 * 1024 * 1024
    _hosts: dict[str, threading.Semaphore] = field(
        default_factory=lambda: defaultdict(lambda: threading.Semaphore(PER_HOST))
    )
    _guard: threading.Lock = field(default_factory=threading.Lock)
    _client: Any = None

    def __enter__(self) -> Client:
        import httpx

        self._client = httpx.Client(
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            follow_redirects=False,
            timeout=httpx.Timeout(self.timeout, connect=min(CONNECT_TIMEOUT, self.timeout)),
            # No connection is reused: each request connects, so that its deadline knows its socket (_Watch).
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=0),
            trust_env=True,  # HTTP(S)_PROXY, NO_PROXY and SSL_CERT_FILE, as curl and pip take them
        )
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def get(self, url: str, headers: dict[str, str] | None = None, *, deadline: float | None = None) -> Response:
        """The body at `url` (status 304 with an empty body when a conditional request finds it unchanged).

        One retry on a 5xx or a network error, and on 429/503 after the Retry-After they ask
        for (when it is short); none on any other status. Within `timeout` seconds from when
        the request may go, and by `deadline` (time.monotonic()) if one is given: headers,
        redirects, retries and body included, however slowly a server sends them.
        """
        with self._guard:
            gate = self._hosts[urlsplit(url).netloc.lower()]
        with gate:  # the deadline starts once the request may go
            deadline = min(time.monotonic() + self.timeout, deadline or float("inf"))
            if deadline <= time.monotonic():
                raise FetchError(f"not received within {self.timeout:g} s")
            tries = 0
            while True:
                tries += 1
                try:
                    return self._follow(url, headers or {}, deadline)
                except FetchError as e:
                    pause = _pause(e, deadline)
                    if tries > 1 or pause is None:
                        raise
                    time.sleep(pause)

    def _follow(self, url: str, headers: dict[str, str], deadline: float) -> Response:
        seen = [url]
        moved_to = None
        permanent = True
        while True:
            status, body, answer = self._one(url, headers, deadline)
            if status in (301, 302, 303, 307, 308):
                target = answer.get("location")
                if not target:
                    raise FetchError(f"HTTP {status} without a Location", status)
                target = urljoin(url, target)
                if urlsplit(target).scheme not in ("http", "https"):
                    raise FetchError(f"refused a redirect to {target} (only http and https are followed)", status)
                if target in seen:
                    raise FetchError(f"redirect loop ({' -> '.join(seen + [target])})", status)
                if len(seen) > MAX_REDIRECTS:
                    raise FetchError(f"more than {MAX_REDIRECTS} redirects", status)
                permanent = permanent and status in (301, 308)
                moved_to = target if permanent else moved_to
                seen.append(target)
                url = target
                continue
            if status == 304:
                return Response(url, status, b"", answer, moved_to)
            if status >= 400:
                raise FetchError(f"HTTP {status}", status, _retry_at(answer.get("retry-after")))
            return Response(url, status, body, answer, moved_to)

    def _one(self, url: str, headers: dict[str, str], deadline: float) -> tuple[int, bytes, dict[str, str]]:
        import httpx

        watch = _Watch(deadline)
        try:
            extensions = {"trace": watch.trace}
            with self._client.stream(
                "GET", url, headers=headers, timeout=_timeout(deadline), extensions=extensions
            ) as r:
                answer = {k.lower(): v for k, v in r.headers.items()}
                if r.status_code != 200:
                    return r.status_code, b"", answer
                declared = answer.get("content-length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise FetchError(f"larger than the {self.max_bytes // 2**20} MB limit (max_feed_mb)")
                return 200, self._read(_decoded(r.iter_raw(), answer.get("content-encoding", "")), deadline), answer
        except httpx.TimeoutException:
            raise FetchError(f"no answer within {self.timeout:g} s") from None
        except httpx.HTTPError as e:
            if watch.fired:
                late = "not received" if watch.answered else "no answer"
                raise FetchError(f"{late} within {self.timeout:g} s") from None
            raise FetchError(_network_problem(e)) from None
        finally:
            watch.cancel()

    def _read(self, chunks_in: Iterator[bytes], deadline: float) -> bytes:
        chunks, size = [], 0
        for chunk in chunks_in:
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"larger than the {self.max_bytes // 2**20} MB limit (max_feed_mb)")
            if time.monotonic() > deadline:
                raise FetchError(f"not received within {self.timeout:g} s")
            chunks.append(chunk)
        return b"".join(chunks)


class _Watch:
    """A request's deadline, whole: at it, the request's socket is shut down, which ends a read that a
    server keeps alive a byte at a time (httpx's timeouts are per read, so they never fire then).
    The socket is learnt from httpcore's `trace` extension, when the connection is made."""

    def __init__(self, deadline: float) -> None:
        self.fired = self.answered = False  # the deadline came; the response's headers had come
        self._socket: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event == "http11.receive_response_headers.complete":
            self.answered = True
        elif event == "connection.connect_tcp.complete" and (stream := info.get("return_value")) is not None:
            with self._lock:
                self._socket = stream.get_extra_info("socket")
                late = self.fired
            if late:
                self._shut()

    def cancel(self) -> None:
        self._timer.cancel()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
        self._shut()

    def _shut(self) -> None:
        with self._lock:
            sock = self._socket
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _decoded(raw: Iterator[bytes], encoding: str) -> Iterator[bytes]:
    """The body with its content codings undone, layer by layer, a bounded step at a time: `gzip, gzip`
    of 1,827 bytes is a gigabyte, and must be stopped at the size limit, not after it is made."""
    stream = raw
    for coding in reversed([c.strip().lower() for c in encoding.split(",") if c.strip()]):
        if coding in ("gzip", "x-gzip"):
            stream = _inflate(stream, 16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            stream = _inflate(stream, zlib.MAX_WBITS)
        elif coding != "identity":
            raise FetchError(f"a Content-Encoding newscli did not ask for ({coding[:40]})")
    return stream


def _inflate(chunks: Iterator[bytes], wbits: int) -> Iterator[bytes]:
    inflater = zlib.decompressobj(wbits)
    try:
        for chunk in chunks:
            data = chunk
            while data and not inflater.eof:
                yield inflater.decompress(data, INFLATE_STEP)
                data = inflater.unconsumed_tail
        while not inflater.eof and (rest := inflater.decompress(b"", INFLATE_STEP)):
            yield rest
    except zlib.error as e:
        raise FetchError(f"a body that does not decompress ({e})") from None


def _timeout(deadline: float) -> Any:
    import httpx

    left = max(0.1, deadline - time.monotonic())
    return httpx.Timeout(left, connect=min(CONNECT_TIMEOUT, left))


def _pause(error: FetchError, deadline: float) -> float | None:
    """How long to wait before the one retry of this failure; None: not retried."""
    status = error.status
    if status in (429, 503) and error.retry_at is not None:
        pause = error.retry_at - time.time()
        return max(0.0, pause) if pause <= min(MAX_RETRY_AFTER, deadline - time.monotonic()) else None
    if status is None or status >= 500:
        return RETRY_PAUSE if time.monotonic() + RETRY_PAUSE < deadline else None
    return None


def _retry_at(value: str | None) -> float | None:
    """A Retry-After header (seconds, or an HTTP date) as a time, no later than MAX_WAIT from now."""
    if not value:
        return None
    now, value = time.time(), value.strip()[:100]
    if value.isascii() and value.isdigit():
        return now + min(MAX_WAIT, float(value[:10]) if len(value) <= 10 else MAX_WAIT)
    try:
        return min(now + MAX_WAIT, email.utils.parsedate_to_datetime(value).timestamp())
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def _network_problem(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text.splitlines()[0][:200]
