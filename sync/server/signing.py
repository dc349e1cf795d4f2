"""Signed requests: HMAC-SHA256 over `timestamp + "." + raw body`, within 300 seconds.

The add-on sends `X-Salesops-Timestamp` (Unix seconds) and `X-Salesops-Signature:
sha256=<hex>`. The comparison takes constant time; a refusal says only `signature` or
`clock`, so the add-on can tell a wrong secret from a wrong clock and a stranger learns no
more.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Literal

TIMESTAMP_HEADER = "X-Salesops-Timestamp"
SIGNATURE_HEADER = "X-Salesops-Signature"
CLOCK_WINDOW_SECONDS = 300
SIGNATURE_PREFIX = "sha256="

Refusal = Literal["signature", "clock"]


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Salesops-Signature` value for this timestamp and raw body."""
    message = timestamp.encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def signed_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The two headers that sign `body` now (or at `timestamp`)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature(secret, stamp, body)}


def check_signature(
    secret: str | None,
    timestamp: str | None,
    given: str | None,
    body: bytes,
    now: float | None = None,
) -> Refusal | None:
    """None when the request is signed with `secret` within the window, else why not.

    The signature is checked before the clock, so only a request that knows the secret
    learns that its clock is off. With no secret configured, nothing is accepted.
    """
    if not secret or not timestamp or not given:
        return "signature"
    stamp = timestamp.strip()
    if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 12:
        return "signature"
    expected = signature(secret, stamp, body)
    if not hmac.compare_digest(expected.encode("ascii"), given.strip().encode("utf-8")):
        return "signature"
    current = time.time() if now is None else now
    if abs(current - int(stamp)) > CLOCK_WINDOW_SECONDS:
        return "clock"
    return None
