"""Brand scope: a caller whose credentials list `brands` sees and acts on only those brands'
complaints, everywhere: lists, analytics, reads, actions and filings.

A complaint carries its brand key in its intake (`brand`, none for the default policy), which
decides. Visibility indexes the policy's *name* (`PolicyName`), not the brand key: lists and
counts are confined through the names of the caller's brands in the loaded policy set, and a
read checks the indexed name first, so another brand's complaint is refused as fast as an
unknown id.
"""

from fastapi import HTTPException, status

from api.credentials import Principal
from api.visibility import equals, one_of
from domain.messages import DEFAULT_BRAND
from domain.policy_files import PolicySet
from workflows.search_attributes import POLICY_NAME

NOTHING = equals(POLICY_NAME, "")
"""A clause no complaint matches: every policy has a name."""


def _names(policies: PolicySet, caller: Principal) -> tuple[set[str], set[str]]:
    """The policy names of the caller's brands, and those of every other brand."""
    inside: set[str] = set()
    outside: set[str] = set()
    for brand, policy in policies.policies.items():
        (inside if caller.sees_brand(brand) else outside).add(policy.name)
    return inside, outside


def scope_clause(caller: Principal, policies: PolicySet) -> list[str]:
    """The visibility clause that confines a list or count to the caller's brands (none for a
    caller without `brands`).

    A name two brands' files share cannot tell them apart, so it is left out when the other
    brand is outside the scope: those complaints are not listed (read them by id).
    """
    if caller.brands is None:
        return []
    inside, outside = _names(policies, caller)
    names = sorted(inside - outside)
    return [one_of(POLICY_NAME, names) if names else NOTHING]


def maybe_in_scope(caller: Principal, policies: PolicySet, policy_name: str | None) -> bool:
    """False when the complaint's indexed policy name belongs to another brand only: refuse it
    without reading it. True (read it, and decide by its brand) otherwise."""
    if caller.brands is None or policy_name is None:
        return True
    inside, outside = _names(policies, caller)
    return policy_name in inside or policy_name not in outside


def ensure_brand_in_scope(caller: Principal, brand: str | None, doing: str) -> None:
    """403 when the caller names a brand outside their scope (filing, or a list's filter)."""
    if not caller.sees_brand(brand):
        scope = ", ".join(sorted(caller.brands or ()))
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"these credentials are for brands {scope} only: they may not {doing} "
            f"brand {brand or DEFAULT_BRAND!r}",
        )
