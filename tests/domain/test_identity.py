"""Customer ids: normalised, email first, keyed by the secret."""

import re

import pytest

from domain.identity import customer_id

SECRET = b"a-secret-of-at-least-thirty-two-bytes"


def test_an_id_is_opaque_and_shaped_like_cus_hex() -> None:
    found = customer_id(SECRET, "asha@example.in", None)
    assert re.fullmatch(r"cus_[0-9a-f]{32}", found)
    assert "asha" not in found


def test_the_email_is_lower_cased_and_stripped() -> None:
    assert customer_id(SECRET, "  Asha@Example.IN ", None) == customer_id(
        SECRET, "asha@example.in", None
    )


def test_the_email_is_preferred_to_the_phone() -> None:
    by_email = customer_id(SECRET, "asha@example.in", None)
    assert customer_id(SECRET, "asha@example.in", "+919812345678") == by_email
    assert customer_id(SECRET, None, "+919812345678") != by_email


def test_without_an_email_the_phone_identifies_the_customer() -> None:
    assert customer_id(SECRET, None, "+919812345678") == customer_id(SECRET, "", "+919812345678")
    assert customer_id(SECRET, None, "+919812345678") != customer_id(SECRET, None, "+919812345679")


def test_different_secrets_give_different_ids() -> None:
    assert customer_id(SECRET, "asha@example.in", None) != customer_id(
        b"another-secret-of-thirty-two-bytes!", "asha@example.in", None
    )


def test_an_id_needs_an_email_or_a_phone() -> None:
    with pytest.raises(ValueError, match="needs an email or a phone"):
        customer_id(SECRET, None, " ")
