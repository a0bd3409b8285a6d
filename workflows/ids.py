"""Workflow ids: one workflow per complaint, one per matter (a customer's product)."""


def workflow_id(complaint_id: str) -> str:
    """The workflow id of a complaint: one workflow per complaint, forever."""
    return f"complaint-{complaint_id}"


def matter_workflow_id(matter_id: str) -> str:
    """The workflow that routes one customer's filings about one product."""
    return f"matter-{matter_id}"
