"""JSON request bodies holding what no text or number can be, refused with a 422 before any route
reads them; and 422s that can always be written, whatever input they echo.

JSON lets a string escape a lone UTF-16 surrogate (`"\\ud800"`): no character, which UTF-8
cannot carry to Temporal or back to the caller. Python's parser takes `NaN`, `Infinity` and
`1e999999` as floats, which JSON has no value for. Either used to reach pydantic, whose 422
echoing it could not be written (a 500), or a workflow's payload. Control characters (NUL,
escape sequences, C1; tab and line breaks excepted) are no text a person wrote: they would reach
emails, the desk and the CRM as they are (the fault suite filed `Eve\x00\x1b[2J`).
"""

import email.message
import json
import math
import re
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_ERRORS = 20
"""A body full of NaN is refused with this many errors, not one per NaN."""
Loc = tuple[str | int, ...]


class RefuseUnrepresentableJson:
    """ASGI middleware: a 422 naming each lone surrogate and non-finite number in a JSON body.

    Bodies that are not JSON, or not valid JSON, pass on: FastAPI answers those itself.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _declares_json(scope["headers"]):
            await self.app(scope, receive, send)
            return
        received: list[Message] = []
        chunks: list[bytes] = []
        complete = False
        while not complete:
            message = await receive()
            received.append(message)
            if message["type"] != "http.request":
                break  # the client left: the app sees it too
            chunks.append(message.get("body", b""))
            complete = not message.get("more_body", False)
        errors = unrepresentable(b"".join(chunks)) if complete else []
        if errors:
            await JSONResponse({"detail": errors}, status_code=422)(scope, receive, send)
            return

        async def replay() -> Message:
            return received.pop(0) if received else await receive()

        await self.app(scope, replay, send)


def unrepresentable(body: bytes) -> list[dict[str, Any]]:
    """Validation errors, as FastAPI words them, for what JSON text cannot hold in `body`;
    none for a body that is not JSON at all."""
    try:
        document = json.loads(body, parse_constant=_NonFinite, parse_float=_number)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, nested too deep, too many digits
        return []
    errors: list[dict[str, Any]] = []
    for loc, value in _parts(document):
        if (problem := _problem(value)) is not None:
            kind, message, shown = problem
            errors.append({"type": kind, "loc": loc, "msg": message, "input": shown})
        if len(errors) == MAX_ERRORS:
            break
    return errors


def _problem(value: Any) -> tuple[str, str, str] | None:
    """What JSON text cannot hold, or no one types, in one value: (type, message, the input as
    it can be written back), or None."""
    if isinstance(value, _NonFinite):
        message = f"Input should be a finite number: JSON has no value for {value.text}"
        return "finite_number", message, value.text
    if not isinstance(value, str):
        return None
    if (control := _first_control(value)) is not None:
        at, char = control
        message = (
            f"Input should be text: character {at + 1} is the control character "
            f"U+{ord(char):04X}, which no one types; remove it (tabs and line breaks are fine)"
        )
        return "string_control_character", message, _escaped(value)
    if (found := _first_surrogate(value)) is not None:
        at, surrogate = found
        message = (
            f"Input should be text: character {at + 1} is a lone UTF-16 surrogate "
            f"({_escaped(surrogate)}), which is no character; send the character, or both "
            "halves of its pair"
        )
        return "string_unicode", message, _escaped(value)
    return None


async def refusal_of_invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422, with any input JSON cannot carry (bytes that are not UTF-8, a lone
    surrogate, NaN) written out as text instead of failing to be written."""
    assert isinstance(exc, RequestValidationError)  # the handler of this exception alone
    return JSONResponse(
        status_code=422, content={"detail": jsonable_encoder(_writable(exc.errors()))}
    )


class _NonFinite:
    """A number JSON has no value for, as it was written."""

    def __init__(self, text: str) -> None:
        self.text = text


def _number(text: str) -> float | _NonFinite:
    value = float(text)
    return value if math.isfinite(value) else _NonFinite(text)


def _parts(document: Any) -> Iterator[tuple[Loc, Any]]:
    """Every value and key of a JSON document with its `loc`, in document order; without
    recursion, as the document may nest as deep as the parser allowed."""
    stack: list[tuple[Loc, Any]] = [(("body",), document)]
    while stack:
        loc, value = stack.pop()
        yield loc, value
        children: list[tuple[Loc, Any]] = []
        if isinstance(value, dict):
            for key, item in value.items():
                at = (*loc, _escaped(key))
                children += [(at, key), (at, item)]  # a key is a string: nothing below it
        elif isinstance(value, list):
            children = [((*loc, index), item) for index, item in enumerate(value)]
        stack.extend(reversed(children))


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""C0 but tab, line feed and carriage return; DEL; C1."""


def _first_control(text: str) -> tuple[int, str] | None:
    found = _CONTROL.search(text)
    return None if found is None else (found.start(), found.group())


def _first_surrogate(text: str) -> tuple[int, str] | None:
    """Where the text's first lone surrogate is, and which (a parsed pair is one character)."""
    return next(((at, char) for at, char in enumerate(text) if "\ud800" <= char <= "\udfff"), None)


def _escaped(text: str) -> str:
    """The text with each lone surrogate written as its escape, `\\ud800`."""
    return text.encode("utf-8", "backslashreplace").decode()


def _writable(value: Any) -> Any:
    if isinstance(value, dict):
        return {_writable(key): _writable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_writable(item) for item in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, str):
        return _escaped(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _declares_json(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether FastAPI reads the body as JSON: `application/json` or `application/*+json`."""
    for name, value in headers:
        if name == b"content-type":
            parsed = email.message.Message()
            parsed["content-type"] = value.decode("latin-1")
            subtype = parsed.get_content_subtype()
            return parsed.get_content_maintype() == "application" and (
                subtype == "json" or subtype.endswith("+json")
            )
    return False
