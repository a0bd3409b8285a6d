"""The workflow's own behaviour switches (`workflow.patched`), implied by a complaint's revision.

A new complaint records one marker, its release's (`domain.behaviour`); switches of the workflow
itself from before revision 8 are on for it without markers of their own. Complaints started
earlier ask each one, as their histories recorded it.
"""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.behaviour import WORKFLOW_SWITCHES_IMPLIED
    from domain.complaint import Complaint


def switched_on(complaint: Complaint, patch_id: str) -> bool:
    """Whether the workflow behaviour `patch_id` names is on for this complaint's run."""
    return complaint.revision >= WORKFLOW_SWITCHES_IMPLIED or workflow.patched(patch_id)
