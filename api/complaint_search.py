"""Complaint search on Temporal visibility: the query of a set of filters, the summary of each
complaint listed."""

from temporalio.client import WorkflowExecution

from api.search_schemas import ComplaintFilters, ComplaintSummary, invalid_query
from api.visibility import all_of, equals
from domain.policy_files import PolicySet
from domain.status import ComplaintStatus
from workflows.search_attributes import (
    BREACHED,
    CASE_TYPES,
    COMPLAINT_LEVEL,
    COMPLAINT_STATUS,
    COUNTRY,
    CUSTOMER_ID,
    DEADLINE,
    OPENED_AT,
    OWNER_ROLE,
    POLICY_NAME,
    REASON,
    SERVICE_CENTRE,
)


def search_query(filters: ComplaintFilters, policies: PolicySet, *scope: str) -> str:
    """Complaints matching every filter given, within the caller's `scope` clauses; a 422 for a
    brand without a policy."""
    clauses = [*filters.clauses(), *scope]
    if filters.brand is not None:
        names = brand_names(policies)
        if filters.brand not in names:
            known = ", ".join(sorted(names))
            raise invalid_query("brand", f"no policy for brand {filters.brand!r}; known: {known}")
        clauses.append(equals(POLICY_NAME, names[filters.brand]))
    pairs = [
        (CUSTOMER_ID, filters.customer_id),
        (COMPLAINT_LEVEL, filters.level),
        (COMPLAINT_STATUS, filters.status.value if filters.status else None),
        (CASE_TYPES, filters.case_type),
        (COUNTRY, filters.country),
        (BREACHED, filters.breached),
        (REASON, filters.reason),
        (SERVICE_CENTRE, filters.service_centre),
    ]
    return all_of(*clauses, *(equals(key, value) for key, value in pairs if value is not None))


def brand_names(policies: PolicySet) -> dict[str, str]:
    """Brand key to the name inside its policy file, which the complaints carry."""
    return {brand: policies.for_brand(brand).name for brand in policies.brands}


def summary_of(execution: WorkflowExecution) -> ComplaintSummary:
    """A listed complaint, from the search attributes its workflow upserted."""
    values = execution.typed_search_attributes
    complaint_status = values.get(COMPLAINT_STATUS)
    return ComplaintSummary(
        id=execution.id.removeprefix("complaint-"),
        level=values.get(COMPLAINT_LEVEL),
        status=ComplaintStatus(complaint_status) if complaint_status else None,
        owner_role=values.get(OWNER_ROLE),
        case_types=list(values.get(CASE_TYPES) or []),
        country=values.get(COUNTRY),
        opened_at=values.get(OPENED_AT) or execution.start_time,
        deadline=values.get(DEADLINE),
        breached=values.get(BREACHED),
    )
