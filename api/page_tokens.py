"""Page cursors of complaint search: Temporal's page token, signed together with its query.

The HMAC covers the query and every byte of Temporal's token, so a cursor works only with the
query it came from and only as it was handed out. Anything else is a 422 before Temporal is
asked (it retries a token it cannot parse for seconds, then fails).
"""

import base64
import binascii
import hashlib
import hmac

from api.credentials import Authenticator
from api.search_schemas import invalid_query

TAG_BYTES = 16


def page_cursor(auth: Authenticator, query: str, token: bytes | None) -> str | None:
    """The cursor handed out for Temporal's next-page token; None on the last page."""
    if not token:
        return None
    return base64.urlsafe_b64encode(_tag(auth, query, token) + token).decode()


def page_token(auth: Authenticator, query: str, cursor: str | None) -> bytes | None:
    """Temporal's token inside a cursor handed out for this query; a 422 for any other."""
    if cursor is None:
        return None
    try:
        raw = base64.b64decode(cursor.encode(), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    tag, token = raw[:TAG_BYTES], raw[TAG_BYTES:]
    if not token or not hmac.compare_digest(tag, _tag(auth, query, token)):
        raise invalid_query("page_token", "not a next_page_token of this query")
    return token


def _tag(auth: Authenticator, query: str, token: bytes) -> bytes:
    encoded = query.encode()
    # The query's length keeps its end and the token's start from trading bytes.
    message = b"page-token\0" + len(encoded).to_bytes(8, "big") + encoded + token
    return hmac.new(auth.customer_id_secret, message, hashlib.sha256).digest()[:TAG_BYTES]
