"""The HTTP side of the sync: one httpx client with a timeout on every request, TLS with a private CA
and a client certificate, a static bearer token or OAuth 2.0 client credentials (Authlib), bounded
retries of 429 and 503 after Retry-After and of a dropped connection (the same GET again, after a
short wait), and paging with `limit` and `pageToken`.

Every failure is a SourceFailed whose message is Swedish and names the resource; it holds no token,
no personal data and no response body."""

from __future__ import annotations

import email.utils
import json
import logging
import ssl
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from .config import SyncConfig

with warnings.catch_warnings():  # Authlib prefers the httpx2 package; httpx itself is supported
    import authlib.deprecate  # noqa: F401 - it adds its own filter when first imported: before ours

    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import OAuth2Client

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # a request answered 429 or 503 is tried at most this many times in all
MAX_WAIT = 300.0  # seconds: a longer Retry-After is not waited for
DEFAULT_WAIT = 5.0  # seconds, when 429 or 503 come without Retry-After
# A GET whose connection failed or broke off (refused, reset, closed before or in the middle of the answer)
# is tried at most this many times in all, waiting DROP_WAIT, then twice that, between. Not a timeout
# (PORTAL_SS12000_TIMEOUT is how long the source may take, not how often) and not a TLS failure.
DROP_ATTEMPTS = 3
DROP_WAIT = 0.5  # seconds


class SourceFailed(Exception):
    """The source could not be read; nothing was changed. str() is a Swedish sentence."""


class PageExpired(Exception):
    """A pageToken answered 410 Gone: the resource must be read again from its first page."""


class NotSupported(Exception):
    """The source cannot answer this question (an incremental filter, /deletedEntities)."""


def _tls(config: SyncConfig) -> ssl.SSLContext | bool:
    if not (config.ca_file or config.client_cert):
        return True
    context = ssl.create_default_context(cafile=config.ca_file)
    if config.client_cert:
        context.load_cert_chain(config.client_cert, config.client_key)
    return context


class Client:
    """GETs against PORTAL_SS12000_URL. `sleep` is injectable for tests of the waiting itself."""

    def __init__(self, config: SyncConfig, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.sleep = sleep
        options: dict[str, Any] = {"timeout": httpx.Timeout(config.timeout), "verify": _tls(config),
                                   "headers": {"Accept": "application/json"}, "follow_redirects": False}
        self.oauth = config.token_url is not None
        if self.oauth:
            self.http: httpx.Client = OAuth2Client(
                client_id=config.client_id, client_secret=config.client_secret,
                token_endpoint_auth_method="client_secret_basic", scope=config.scope,  # noqa: S106 - a method name
                token_endpoint=config.token_url, grant_type="client_credentials", **options)
        else:
            if config.token:
                options["headers"]["Authorization"] = f"Bearer {config.token}"
            self.http = httpx.Client(**options)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _fetch_token(self) -> None:
        assert isinstance(self.http, OAuth2Client)
        try:
            self.http.fetch_token(self.config.token_url, grant_type="client_credentials")
        except httpx.HTTPError as exc:
            raise SourceFailed(f"Ingen token från PORTAL_SS12000_TOKEN_URL: {_network(exc)}.") from None
        except Exception as exc:  # Authlib's OAuthError and a token answer that is not JSON
            name = getattr(exc, "error", None) or type(exc).__name__
            raise SourceFailed(f"Ingen token från PORTAL_SS12000_TOKEN_URL: servern svarade {name}.") from None

    def get(self, resource: str, params: dict[str, Any]) -> dict[str, Any]:
        """One page of /resource as a JSON object (retried after 429 and 503 and after a dropped connection, a
        new token after 401)."""
        url = f"{self.config.url}/{resource}"
        fresh_token = False
        if self.oauth and not getattr(self.http, "token", None):
            self._fetch_token()
            fresh_token = True
        busy = dropped = 0
        while True:
            try:
                response = self.http.get(url, params=params)
            except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                dropped += 1
                if dropped >= DROP_ATTEMPTS or _tls_failure(exc):
                    tries = f" ({dropped} försök)" if dropped > 1 else ""
                    raise SourceFailed(f"/{resource} gick inte att läsa: {_network(exc)}{tries}.") from None
                wait = DROP_WAIT * 2 ** (dropped - 1)
                log.warning("ss12000 sync: /%s: the connection failed (%s); try %d of %d in %.1f s",
                            resource, type(exc).__name__, dropped + 1, DROP_ATTEMPTS, wait)
                self.sleep(wait)
                continue
            except httpx.HTTPError as exc:
                raise SourceFailed(f"/{resource} gick inte att läsa: {_network(exc)}.") from None
            except Exception as exc:  # Authlib failing to renew an expired token
                name = getattr(exc, "error", None) or type(exc).__name__
                raise SourceFailed(f"Ingen token från PORTAL_SS12000_TOKEN_URL: servern svarade {name}.") from None
            status = response.status_code
            if status == 401 and self.oauth and not fresh_token:
                self._fetch_token()
                fresh_token = True
                continue
            if status in (429, 503):
                busy += 1
                if busy < MAX_ATTEMPTS:
                    self.sleep(_retry_after(response.headers.get("Retry-After")))
                    continue
            return _answer(resource, response, "pageToken" in params)

    def pages(self, resource: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every page of /resource: `limit` and `pageToken` until an answer has none."""
        query = {**params, "limit": self.config.page_size}
        while True:
            page = self.get(resource, query)
            yield page
            token = page.get("pageToken")
            if not token:
                return
            if not isinstance(token, str):
                raise SourceFailed(f"/{resource} svarade med en pageToken som inte är en text.")
            query = {"limit": self.config.page_size, "pageToken": token}  # other filters may not go with it


def _answer(resource: str, response: httpx.Response, paging: bool) -> dict[str, Any]:
    status = response.status_code
    if status == 410 and paging:
        raise PageExpired(resource)
    if status in (400, 404, 405, 501) and not paging:
        raise NotSupported(f"/{resource} svarade {status}")
    if status == 401:
        raise SourceFailed(f"/{resource} svarade 401: källan godtog inte inloggningen "
                           "(kontrollera PORTAL_SS12000_TOKEN eller klientuppgifterna).")
    if status == 403:
        raise SourceFailed(f"/{resource} svarade 403: portalen har inte behörighet att läsa {resource}.")
    if status != 200:
        raise SourceFailed(f"/{resource} svarade {status} ({response.reason_phrase or 'fel'}).")
    try:
        body = json.loads(response.content)
    except ValueError:
        raise SourceFailed(f"/{resource} svarade med något som inte är giltig JSON.") from None
    if not isinstance(body, dict) or not isinstance(body.get("data"), list | dict):
        raise SourceFailed(f"/{resource} svarade med JSON utan fältet data.")
    return body


def _retry_after(value: str | None) -> float:
    """Seconds to wait: Retry-After as seconds or as an HTTP date, at most MAX_WAIT."""
    if value is None:
        return DEFAULT_WAIT
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_WAIT)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return DEFAULT_WAIT
    return min(max(0.0, moment.timestamp() - time.time()), MAX_WAIT)


def _tls_failure(exc: httpx.HTTPError) -> bool:
    """A connection the TLS handshake refused (a certificate not trusted): trying again cannot help."""
    text = str(exc).upper()
    return isinstance(exc, httpx.ConnectError) and ("CERTIFICATE" in text or "SSL" in text)


def _network(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "inget svar inom tidsgränsen (PORTAL_SS12000_TIMEOUT)"
    if isinstance(exc, httpx.ConnectError):
        if _tls_failure(exc):
            return "TLS-anslutningen misslyckades (kontrollera PORTAL_SS12000_CA_FILE och klientcertifikatet)"
        return "det gick inte att ansluta"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return "anslutningen bröts mitt i svaret"
    return "nätverksfel"
