"""Security headers on every response, and limits checked on the raw body before FastAPI parses it: size, JSON depth, string length, text.

A body over the size limit is refused with 413 while it is still arriving; JSON that is invalid,
nested too deep, holds an over-long string or a lone surrogate (which no database can store) gets a
422 naming where. The checked body is then handed on unchanged, and the parsed value with it in the
ASGI scope, so routes (ParsedBodyRoute) validate it without parsing the bytes a second time.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PARSED = "computegate.json"  # scope key: the body as the guard parsed it

SECURITY_HEADERS = {  # on every response
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


@dataclass(frozen=True)
class Limits:
    body_bytes: int = 2_000_000  # a list of 1,000 full requests is about 400 kB
    depth: int = 16
    string_chars: int = 2_000
    keys_per_object: int = 200


LIMITS = Limits()


def problem(value: Any, limits: Limits = LIMITS) -> tuple[list[Any], str] | None:
    """The first place where parsed JSON breaks a limit, as (path, message)."""
    stack: list[tuple[Any, list[Any]]] = [(value, ["body"])]
    while stack:
        node, path = stack.pop()
        if len(path) - 1 > limits.depth:
            return path, f"nested deeper than {limits.depth} levels"
        if isinstance(node, str):
            if len(node) > limits.string_chars:
                return path, f"longer than {limits.string_chars:,} characters"
        elif isinstance(node, dict):
            if len(node) > limits.keys_per_object:
                return path, f"more than {limits.keys_per_object} fields"
            for key, item in node.items():
                if len(key) > limits.string_chars:
                    return path, "a field name is too long"
                stack.append((item, [*path, key]))
        elif isinstance(node, list):
            stack.extend((item, [*path, i]) for i, item in enumerate(node))
    return None


class BodyGuard:
    def __init__(self, app: ASGIApp, limits: Limits = LIMITS) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in {"POST", "PUT", "PATCH"}:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and (
            not declared.isdigit() or int(declared) > self.limits.body_bytes
        ):
            await _reply(send, 413, f"body larger than {self.limits.body_bytes:,} bytes")
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limits.body_bytes:
                await _reply(send, 413, f"body larger than {self.limits.body_bytes:,} bytes")
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if body and b"json" in headers.get(b"content-type", b""):
            try:
                parsed = orjson.loads(body)
                found = problem(parsed, self.limits)
            except orjson.JSONDecodeError as exc:
                found = (["body"], f"not valid JSON or not valid UTF-8 text ({exc})")
            if found:
                detail = [{"loc": found[0], "msg": found[1], "type": "value_error"}]
                await _reply(send, 422, detail)
                return
            scope = {**scope, PARSED: parsed}
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class _ParsedRequest(Request):
    """A request whose JSON body is the guard's parse of it (or orjson's, without the guard)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            parsed = self.scope.get(PARSED, _MISSING)
            self._json = parsed if parsed is not _MISSING else orjson.loads(await self.body())
        return self._json


_MISSING = object()


class ParsedBodyRoute(APIRoute):
    """FastAPI routes that take the body already parsed: each request is parsed once (by orjson,
    which also refuses lone surrogates) and validated once, against the route's own model."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            return await handler(_ParsedRequest(request.scope, request.receive))

        return route


async def _reply(send: Send, status: int, detail: Any) -> None:
    payload = orjson.dumps({"detail": detail})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class SecurityHeaders:
    """CSP (no inline script, no framing), nosniff and no-referrer on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
