"""Lists of complaints from Temporal visibility: search by filters, and counts for analytics.

Visibility is eventually consistent: a complaint shows up, or shows its new level, a moment
after its workflow upserts it (well under a second on the dev server).
"""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from api.analytics import complaint_counts
from api.auth import FORBIDDEN, UNAUTHORIZED, Admin, Authenticated, Authentication
from api.brand_scope import ensure_brand_in_scope, scope_clause
from api.complaint_search import search_query, summary_of
from api.page_tokens import page_cursor, page_token
from api.routers.complaints import Policies
from api.search_schemas import ComplaintAnalytics, ComplaintFilters, ComplaintPage, Period
from api.temporal import VISIBILITY_UNAVAILABLE, TemporalClient, visibility_or_503
from domain.history import ActorRole

router = APIRouter(
    tags=["search"], responses={**UNAUTHORIZED, **FORBIDDEN, **VISIBILITY_UNAVAILABLE}
)


@router.get("/complaints", response_model=ComplaintPage, tags=["complaints"])
async def list_complaints(
    filters: Annotated[ComplaintFilters, Query()],
    client: TemporalClient,
    policies: Policies,
    caller: Authenticated,
    auth: Authentication,
) -> ComplaintPage:
    """Complaints matching every filter given, a page at a time: open workflows newest first,
    then finished ones, most recently closed first (Temporal's order).

    Customers see only their own: the customer id filter is theirs. Credentials with `brands`
    see only those brands' complaints.
    """
    if caller.role is ActorRole.CUSTOMER:
        if filters.customer_id not in (None, caller.subject):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail="a customer lists only their own complaints: leave customer_id out",
            )
        filters = filters.model_copy(update={"customer_id": caller.subject})
    if filters.brand is not None:
        ensure_brand_in_scope(caller, filters.brand, "list")
    query = search_query(filters, policies, *scope_clause(caller, policies))
    token = page_token(auth, query, filters.page_token)
    listing = client.list_workflows(query, page_size=filters.page_size, next_page_token=token)
    async with visibility_or_503():
        await listing.fetch_next_page()
    return ComplaintPage(
        complaints=[summary_of(execution) for execution in listing.current_page or []],
        next_page_token=page_cursor(auth, query, listing.next_page_token),
    )


@router.get("/analytics/complaints", response_model=ComplaintAnalytics, tags=["analytics"])
async def complaint_analytics(
    period: Annotated[Period, Query()], client: TemporalClient, policies: Policies, caller: Admin
) -> ComplaintAnalytics:
    """Open, escalated and breached complaints filed in the period, by level, reason, case type,
    brand, country and service centre (one visibility count per value); with `brands`, of those
    brands only."""
    async with visibility_or_503():
        return await complaint_counts(client, policies, period, caller)
