"""What complaints are searched by: quoted values, attributes that fit SQLite, no personal data."""

from collections import Counter
from datetime import UTC, datetime

import pytest

from api.visibility import literal
from domain.filing import open_complaint
from domain.view import view_of
from harness.samples import SEED_MATRIX, sample_intake
from workflows.search_attributes import SEARCH_ATTRIBUTES, SQLITE_SLOTS, complaint_search_values


def test_values_are_quoted_never_spliced() -> None:
    assert literal("Asha's") == "'Asha''s'"
    assert literal(3) == "3" and literal(True) == "true"
    for unsafe in ['say "hi"', "back\\slash", "line\nbreak"]:
        with pytest.raises(ValueError, match="cannot search"):
            literal(unsafe)


def test_the_attributes_fit_the_sqlite_slots_and_hold_no_personal_data() -> None:
    per_type = Counter(key.indexed_value_type for key in SEARCH_ATTRIBUTES)
    assert all(count <= SQLITE_SLOTS[kind] for kind, count in per_type.items()), per_type
    intake = sample_intake()
    view = view_of(open_complaint("c1", intake, SEED_MATRIX, datetime(2026, 11, 23, tzinfo=UTC)))
    category = SEED_MATRIX.reason_category(intake.reason)
    values = complaint_search_values(view, "cus_" + "1" * 32, "mat_" + "2" * 24, category)
    assert set(values) == {key.name for key in SEARCH_ATTRIBUTES}
    customer = intake.customer
    personal = [customer.name, customer.email, customer.phone, customer.address]
    assert not [part for part in personal if part and part in str(values)]
