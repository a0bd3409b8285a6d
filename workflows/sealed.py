"""Writes go through the API only: sealed input, and cancellations refused.

Sealed input came through the payload codec, encrypted, by a process holding the key.

The codec (`workflows.codec`) never fails a decode: a payload that was not encrypted (old
histories, or a write from the Web UI or the CLI without the key) or that no key opens passes
through with `UNSEALED` in its metadata saying why. Handlers take such input as `RawValue` and
refuse it before it can change anything, so a stray write is never applied and never blocks a
workflow task. A workflow's start input (`StartInput`) learns the same from the payload
converter, so a workflow started from the UI or CLI ends at once, refused.
"""

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, PrivateAttr
from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.common import RawValue
from temporalio.contrib.pydantic import PydanticPayloadConverter
from temporalio.exceptions import ApplicationError

UNSEALED = "complaints-unsealed"
"""Metadata key the codec adds to a payload it could not decrypt; the value says why."""
T = TypeVar("T")
REFUSAL_TYPE = "UnsealedInput"
REFUSE_UNSEALED_SIGNALS_PATCH = "refuse-unsealed-signals"
"""Named behaviour switch: histories recorded before it took unsealed signals and replay so."""
REFUSE_UNSEALED_STARTS_PATCH = "refuse-unsealed-starts"
"""Named behaviour switch: histories recorded before it ran on unsealed start input."""
REFUSE_CANCELLATION_PATCH = "refuse-cancellation"
"""Named behaviour switch: a cancellation request is refused (and logged, counted), not obeyed;
histories recorded before it replay as they ran: cancelled."""
REFUSED_WRITES_METRIC = "complaints_refused_writes"
WRITES_GO_THROUGH_THE_API = (
    "refused: {what} was not encrypted with the complaints key ({why}). Complaints are changed "
    "through the complaints API only (it records who acted); the Temporal UI and CLI are read-only"
)


class StartInput(BaseModel):
    """A workflow's input, which knows whether it arrived encrypted (`SealAwarePayloadConverter`
    tells it; nothing of it is serialised)."""

    _unsealed: str | None = PrivateAttr(default=None)

    def arrived_unsealed(self, why: str) -> None:
        self._unsealed = why

    def start_refusal(self, what: str) -> ApplicationError | None:
        """The refusal of an unsealed start (logged, counted), or None; histories recorded before
        the refusal replay as they ran."""
        if self._unsealed is None or not workflow.patched(REFUSE_UNSEALED_STARTS_PATCH):
            return None
        return _refusal(what, self._unsealed)


class SealAwarePayloadConverter(PydanticPayloadConverter):
    """Pydantic's converter, telling a `StartInput` when its payload arrived unsealed."""

    def from_payloads(
        self, payloads: Sequence[Payload], type_hints: list[type] | None = None
    ) -> list[Any]:
        values = super().from_payloads(payloads, type_hints)
        for payload, value in zip(payloads, values, strict=True):
            if isinstance(value, StartInput) and UNSEALED in payload.metadata:
                value.arrived_unsealed(payload.metadata[UNSEALED].decode(errors="replace"))
        return values


def unsealed_reason(raw: RawValue) -> str | None:
    """Why the codec left this payload unencrypted, or None when it arrived sealed."""
    reason = raw.payload.metadata.get(UNSEALED)
    return None if reason is None else reason.decode(errors="replace")


def unsealed_refusal(raw: RawValue, what: str) -> ApplicationError | None:
    """The refusal for unsealed input (also logged and counted), or None when it is sealed."""
    why = unsealed_reason(raw)
    return None if why is None else _refusal(what, why)


def _refusal(what: str, why: str) -> ApplicationError:
    message = WRITES_GO_THROUGH_THE_API.format(what=what, why=why)
    workflow.logger.warning("%s: %s", workflow.info().workflow_id, message)
    _count_refusal(what)
    return ApplicationError(message, type=REFUSAL_TYPE, non_retryable=True)


def cancellation_refused() -> bool:
    """Refuse a cancellation request sent through Temporal (logged and counted); False when
    replaying a history from before the refusal, which was cancelled then."""
    if not workflow.patched(REFUSE_CANCELLATION_PATCH):
        return False
    workflow.logger.warning(
        "%s: cancellation request refused: complaints end through the complaints API",
        workflow.info().workflow_id,
    )
    _count_refusal("cancel")
    return True


def _count_refusal(what: str) -> None:
    workflow.metric_meter().create_counter(
        REFUSED_WRITES_METRIC, "Writes sent through Temporal, not the API, and refused"
    ).add(1, {"workflow_type": workflow.info().workflow_type, "handler": what})


def accepted_signal(raw: RawValue, name: str) -> bool:
    """Sealed signals are taken; unsealed ones are refused (logged and counted), except when
    replaying a history recorded before the refusal (it took them then)."""
    return not (unsealed_refusal(raw, name) and workflow.patched(REFUSE_UNSEALED_SIGNALS_PATCH))


def value_of(raw: RawValue, value_type: type[T]) -> T:
    """The payload as `value_type`, once the caller has decided to accept it."""
    return workflow.payload_converter().from_payload(raw.payload, value_type)
