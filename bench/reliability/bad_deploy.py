"""A bad deploy for the fault suite: worker.py whose ComplaintWorkflow raises on every workflow
task (a plain exception: Temporal retries the task; the workflow neither fails nor changes).

    python -m bench.reliability.bad_deploy    # same settings as worker.py
"""

import asyncio
import functools
from typing import Any

from temporalio import workflow
from temporalio.worker import (
    ExecuteWorkflowInput,
    Interceptor,
    Worker,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

BROKEN_TYPE = "ComplaintWorkflow"


class DeployBug(RuntimeError):
    """What the bad release raises: not a Temporal failure type, so the task fails, not the run."""


class _RaisingInbound(WorkflowInboundInterceptor):
    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        if workflow.info().workflow_type == BROKEN_TYPE:
            raise DeployBug("a deploy bug: the complaint workflow raises (bench bad deploy)")
        return await super().execute_workflow(input)


class BadDeploy(Interceptor):
    """Breaks every complaint workflow task; the matter workflows and activities still work."""

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        return _RaisingInbound


def main() -> None:
    import worker  # the release under test, imported here so the sandbox never loads it

    # worker.py takes no interceptors: its Worker gets the bug, all else is the release as shipped
    worker.Worker = functools.partial(Worker, interceptors=[BadDeploy()])
    asyncio.run(worker.main())


if __name__ == "__main__":
    main()
