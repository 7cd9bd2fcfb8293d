"""/graphql: a GraphQL server over WebSocket, speaking the ``graphql-transport-ws``
protocol (https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md), executed by
graphql-core. It is what the third-party client of the pyws compatibility tests (gql's
``WebsocketsTransport``, run unchanged over ``pyws.patch_websockets()``) talks to.

Schema::

    type Query { hello(name: String! = "world"): String! }
    type Subscription { count(to: Int!, delay: Float! = 0): Int! }

``count`` yields 1 to ``to``, ``delay`` seconds apart. Protocol errors close the socket
with the protocol's codes: 4400 (bad message), 4401 (subscribe before the connection was
acknowledged), 4409 (an id already in use), 4429 (a second connection_init).
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import WSMsgType, web
from graphql import (
    ExecutionResult,
    GraphQLArgument,
    GraphQLField,
    GraphQLFloat,
    GraphQLInt,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    parse,
    subscribe,
    validate,
)
from graphql import execute as execute_query
from graphql.error import GraphQLError
from graphql.language import OperationDefinitionNode, OperationType

from server.echo import accept
from server.registry import Connection

SUBPROTOCOL = "graphql-transport-ws"
MAX_COUNT = 10_000
MAX_DELAY = 10.0


async def _count(_root: object, _info: object, to: int, delay: float) -> AsyncIterator[int]:
    if not 0 <= to <= MAX_COUNT or not 0 <= delay <= MAX_DELAY:
        raise GraphQLError(f"count needs 0 <= to <= {MAX_COUNT} and 0 <= delay <= {MAX_DELAY}")
    for number in range(1, to + 1):
        if delay:
            await asyncio.sleep(delay)
        yield number


SCHEMA = GraphQLSchema(
    query=GraphQLObjectType(
        "Query",
        {
            "hello": GraphQLField(
                GraphQLNonNull(GraphQLString),
                args={
                    "name": GraphQLArgument(GraphQLNonNull(GraphQLString), default_value="world")
                },
                resolve=lambda _root, _info, name: f"Hello {name}!",
            )
        },
    ),
    subscription=GraphQLObjectType(
        "Subscription",
        {
            "count": GraphQLField(
                GraphQLNonNull(GraphQLInt),
                args={
                    "to": GraphQLArgument(GraphQLNonNull(GraphQLInt)),
                    "delay": GraphQLArgument(GraphQLNonNull(GraphQLFloat), default_value=0.0),
                },
                subscribe=_count,
                resolve=lambda number, _info, **_: number,
            )
        },
    ),
)


class ProtocolViolation(Exception):
    """The client broke graphql-transport-ws: close with :attr:`code`."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class Session:
    """One graphql-transport-ws connection: its acknowledgement and running operations."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.acknowledged = False
        self.operations: dict[str, asyncio.Task[None]] = {}

    async def send(self, message: dict[str, Any]) -> None:
        text = json.dumps(message)
        await self.conn.ws.send_str(text)
        self.conn.sent(len(text.encode()))

    async def handle(self, text: str) -> None:
        """Act on one message from the client; :exc:`ProtocolViolation` if it is wrong."""
        try:
            message = json.loads(text)
            kind = message["type"]
        except (ValueError, TypeError, KeyError):
            raise ProtocolViolation(4400, "invalid message") from None
        if kind == "connection_init":
            if self.acknowledged:
                raise ProtocolViolation(4429, "Too many initialisation requests")
            self.acknowledged = True
            await self.send({"type": "connection_ack"})
        elif kind == "ping":
            await self.send({"type": "pong"})
        elif kind == "pong":
            pass
        elif kind == "subscribe":
            self.start(message)
        elif kind == "complete":
            task = self.operations.pop(str(message.get("id")), None)
            if task is not None:
                task.cancel()
        else:
            raise ProtocolViolation(4400, f"unknown message type {kind!r}")

    def start(self, message: dict[str, Any]) -> None:
        if not self.acknowledged:
            raise ProtocolViolation(4401, "Unauthorized")
        ident, payload = message.get("id"), message.get("payload")
        if not isinstance(ident, str) or not isinstance(payload, dict):
            raise ProtocolViolation(4400, "subscribe needs an id and a payload")
        if ident in self.operations:
            raise ProtocolViolation(4409, f"Subscriber for {ident} already exists")
        task = asyncio.create_task(self.run(ident, payload))
        self.operations[ident] = task
        task.add_done_callback(lambda _: self.operations.pop(ident, None))

    async def run(self, ident: str, payload: dict[str, Any]) -> None:
        """Execute one operation: ``next`` for each result, then ``complete``; ``error``
        when the document does not validate, or when a subscription's resolver raises
        while it is iterated."""
        try:
            document = parse(str(payload.get("query", "")))
            errors = validate(SCHEMA, document)
        except GraphQLError as error:
            errors = [error]
        if errors:
            formatted = [error.formatted for error in errors]
            await self.send({"id": ident, "type": "error", "payload": formatted})
            return
        arguments: dict[str, Any] = {
            "schema": SCHEMA,
            "document": document,
            "variable_values": payload.get("variables"),
            "operation_name": payload.get("operationName"),
        }
        if _is_subscription(document, payload.get("operationName")):
            results = subscribe(**arguments)
            if inspect.isawaitable(results):
                results = await results
            if isinstance(results, ExecutionResult):
                await self.send({"id": ident, "type": "next", "payload": results.formatted})
            else:
                while True:
                    try:
                        result = await anext(results)
                    except StopAsyncIteration:
                        break
                    except Exception as raised:
                        # A resolver raised while the subscription was iterated (graphql-core
                        # lets it out of the source stream): the operation ends with `error`,
                        # as the protocol says, and the connection stays up.
                        failure = (
                            raised
                            if isinstance(raised, GraphQLError)
                            else GraphQLError(str(raised), original_error=raised)
                        )
                        formatted = [failure.formatted]
                        await self.send({"id": ident, "type": "error", "payload": formatted})
                        return
                    await self.send({"id": ident, "type": "next", "payload": result.formatted})
        else:
            outcome = execute_query(**arguments)
            result = await outcome if inspect.isawaitable(outcome) else outcome
            await self.send({"id": ident, "type": "next", "payload": result.formatted})
        await self.send({"id": ident, "type": "complete"})

    def stop(self) -> None:
        for task in self.operations.values():
            task.cancel()


def _is_subscription(document: Any, name: object) -> bool:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            name is None or (definition.name and definition.name.value == name)
        ):
            return definition.operation is OperationType.SUBSCRIPTION
    return False


async def graphql(request: web.Request) -> web.StreamResponse:
    """/graphql: graphql-transport-ws until the client closes."""
    async with accept(request, (SUBPROTOCOL,)) as conn:
        session = Session(conn)
        ws = conn.ws
        try:
            while True:
                msg = await ws.receive()
                if msg.type is WSMsgType.TEXT:
                    conn.received(len(msg.data.encode()))
                    await session.handle(msg.data)
                elif msg.type is WSMsgType.CLOSE:
                    code = msg.data if msg.data not in (1005, 1006) else 1000
                    await ws.close(code=code, message=(msg.extra or "").encode())
                    break
                elif msg.type is WSMsgType.BINARY:
                    raise ProtocolViolation(4400, "binary messages are not allowed")
                else:  # CLOSING, CLOSED, ERROR
                    break
        except ProtocolViolation as violation:
            conn.close_code = violation.code
            await ws.close(code=violation.code, message=violation.reason.encode())
        finally:
            session.stop()
    return conn.ws
