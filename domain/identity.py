"""Customer ids: opaque, stable ids for customers, derived from how we reach them."""

import hashlib
import hmac

CUSTOMER_ID_PREFIX = "cus_"


def customer_id(secret: bytes, email: str | None, phone: str | None) -> str:
    """`cus_` + 32 hex digits of an HMAC-SHA256 of the email, or of the E.164 phone without one.

    The email is preferred and compared case-insensitively; the phone is expected in E.164
    (the intake form normalises it). Without the secret the id reveals nothing about either.
    """
    if email is not None and email.strip():
        subject = f"email:{email.strip().lower()}"
    elif phone is not None and phone.strip():
        subject = f"phone:{phone.strip()}"
    else:
        raise ValueError("a customer id needs an email or a phone number")
    digest = hmac.new(secret, subject.encode(), hashlib.sha256).hexdigest()
    return f"{CUSTOMER_ID_PREFIX}{digest[:32]}"
