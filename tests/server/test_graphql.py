"""/graphql: graphql-transport-ws over the real websockets client, and gql's
WebsocketsTransport (the client the Pyodide compatibility scenarios run over pyws)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from tests.server.conftest import Server
from tests.server.helpers import run

PROTOCOL = [Subprotocol("graphql-transport-ws")]


async def exchange(ws: ClientConnection, message: dict[str, Any]) -> dict[str, Any]:
    await ws.send(json.dumps(message))
    answer: dict[str, Any] = json.loads(await ws.recv())
    return answer


def test_gql_query_and_subscription(server: Server) -> None:
    async def go() -> None:
        transport = WebsocketsTransport(url=server.ws_url("/graphql"))
        async with Client(transport=transport) as session:
            assert await session.execute(gql('{ hello(name: "x") }')) == {"hello": "Hello x!"}
            counted = [
                r["count"] async for r in session.subscribe(gql("subscription { count(to: 3) }"))
            ]
            assert counted == [1, 2, 3]
            with pytest.raises(TransportQueryError):
                await session.execute(gql("{ nope }"))

    run(go())


def test_protocol_messages(server: Server) -> None:
    async def go() -> None:
        async with connect(server.ws_url("/graphql"), subprotocols=PROTOCOL) as ws:
            assert ws.subprotocol == "graphql-transport-ws"
            assert await exchange(ws, {"type": "connection_init"}) == {"type": "connection_ack"}
            assert await exchange(ws, {"type": "ping"}) == {"type": "pong"}
            query = {"query": "subscription { count(to: 100, delay: 0.05) }"}
            first = await exchange(ws, {"id": "1", "type": "subscribe", "payload": query})
            assert first == {"id": "1", "type": "next", "payload": {"data": {"count": 1}}}
            await ws.send(json.dumps({"id": "1", "type": "complete"}))
            # Stopped: the next answer is to the query, not a count.
            answer = await exchange(
                ws, {"id": "2", "type": "subscribe", "payload": {"query": "{ hello }"}}
            )
            while answer["id"] == "1":
                answer = json.loads(await ws.recv())
            assert answer["payload"] == {"data": {"hello": "Hello world!"}}
            assert json.loads(await ws.recv()) == {"id": "2", "type": "complete"}
            error = await exchange(ws, {"id": "3", "type": "subscribe", "payload": {"query": "{"}})
            assert error["type"] == "error" and error["id"] == "3"

    run(go())


def test_a_subscription_whose_resolver_raises_gets_an_error(server: Server) -> None:
    """``count(to: -1)`` raises in the resolver while the subscription is iterated: the
    client gets ``error`` for that id (no ``complete``), and the connection stays usable."""

    async def go() -> None:
        async with connect(server.ws_url("/graphql"), subprotocols=PROTOCOL) as ws:
            assert await exchange(ws, {"type": "connection_init"}) == {"type": "connection_ack"}
            query = {"query": "subscription { count(to: -1) }"}
            error = await exchange(ws, {"id": "1", "type": "subscribe", "payload": query})
            assert error["type"] == "error" and error["id"] == "1", error
            assert "count needs 0 <= to" in error["payload"][0]["message"], error
            again = {"query": "subscription { count(to: 1) }"}
            answer = await exchange(ws, {"id": "1", "type": "subscribe", "payload": again})
            assert answer == {"id": "1", "type": "next", "payload": {"data": {"count": 1}}}
            assert json.loads(await ws.recv()) == {"id": "1", "type": "complete"}

        transport = WebsocketsTransport(url=server.ws_url("/graphql"))
        async with Client(transport=transport) as session:
            with pytest.raises(TransportQueryError, match="count needs"):
                async for _ in session.subscribe(gql("subscription { count(to: -1) }")):
                    pass

    run(go())


@pytest.mark.parametrize(
    ("messages", "code"),
    [
        ([{"id": "1", "type": "subscribe", "payload": {"query": "{ hello }"}}], 4401),
        ([{"type": "connection_init"}, {"type": "connection_init"}], 4429),
        (["not json"], 4400),
        ([{"type": "what"}], 4400),
    ],
)
def test_protocol_violations_close(server: Server, messages: list[Any], code: int) -> None:
    async def go() -> None:
        async with connect(server.ws_url("/graphql"), subprotocols=PROTOCOL) as ws:
            for message in messages:
                await ws.send(message if isinstance(message, str) else json.dumps(message))
            with pytest.raises(ConnectionClosed) as info:
                while True:
                    await ws.recv()
            assert info.value.rcvd is not None and info.value.rcvd.code == code

    run(go())
