"""A TCP connection in the sim's loop between pyws's CPython transport and a ``websockets``
server protocol (Sans-I/O), for the machines that run the real transport.

The server is a live peer: it reads at once what the client writes, answers the opening
handshake, the closing handshake and pings as ``websockets`` does, and echoes the heartbeat
message. Everything a rule makes the server write goes out as one chunk, and arrives one
loop iteration later; the client reads every chunk that arrived in one read, as a socket
read returns what the kernel holds. While the client's reading is paused nothing is read,
end of stream (the server closing TCP) included, as with asyncio's ``pause_reading``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import State as ProtocolState
from websockets.server import ServerProtocol

from pyws._platform.cpython import StreamTransport

HEARTBEAT = "hb"
"""What the server echoes as the heartbeat's answer; any other message it records."""
BROKEN_FRAME = b"\x83\x00"
"""A frame with a reserved opcode: the client fails the connection (1002)."""


class ClientEnd(asyncio.Transport):
    """The client's side of the wire: what ``StreamTransport`` writes to and pauses."""

    def __init__(self, wire: Wire) -> None:
        super().__init__()
        self._wire = wire
        self.reading = True
        self.closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self.closing:
            self._wire.to_server(bytes(data))

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        self._wire.to_server(b"")

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        if not self.closing:
            self.closing = True
            self._wire.client_closed()

    def abort(self) -> None:
        self.close()

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True
        self._wire.schedule_delivery()

    def is_reading(self) -> bool:
        return self.reading

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


class Wire:
    """One connection: the server protocol, the bytes in flight, what the server got."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.server = ServerProtocol()
        self.end = ClientEnd(self)
        self.client: StreamTransport | None = None
        self.in_flight: list[bytes | None] = []
        """Server to client, in order; None is the end of the stream (the server closed TCP)."""
        self.received: list[str | bytes] = []
        """The data messages the server got, heartbeats left out."""
        self.lost = False
        """The client's connection_lost() was called."""
        self.broken = False
        """The server broke the protocol (:data:`BROKEN_FRAME`)."""
        self._scheduled = False

    def connect(self, client: StreamTransport) -> None:
        self.client = client
        client.connection_made(self.end)

    # -- the server ----------------------------------------------------------------------

    @property
    def server_open(self) -> bool:
        """Whether the server may still send: open, and it broke nothing."""
        return self.server.state is ProtocolState.OPEN and not self.broken and not self.lost

    def to_server(self, data: bytes) -> None:
        self.loop.call_soon(self._server_reads, data)

    def _server_reads(self, data: bytes) -> None:
        server = self.server
        if self.lost:
            return
        if data:
            server.receive_data(data)
        else:
            server.receive_eof()
        for event in server.events_received():
            if isinstance(event, Request):
                server.send_response(server.accept(event))
            elif isinstance(event, Frame) and event.opcode in (Opcode.TEXT, Opcode.BINARY):
                message: str | bytes = bytes(event.data)
                if event.opcode is Opcode.TEXT:
                    message = bytes(event.data).decode()
                if message == HEARTBEAT:
                    if server.state is ProtocolState.OPEN and not self.broken:
                        server.send_text(HEARTBEAT.encode())
                else:
                    self.received.append(message)
        self.server_writes()

    def server_writes(self, raw: bytes = b"") -> None:
        """Send what the server protocol has to send, after ``raw`` bytes, as one chunk."""
        chunk = raw
        for data in self.server.data_to_send():
            if data:
                chunk += data
            else:
                if chunk:
                    self.in_flight.append(chunk)
                chunk = b""
                self.in_flight.append(None)
        if chunk:
            self.in_flight.append(chunk)
        self.schedule_delivery()

    # -- to the client -------------------------------------------------------------------

    def schedule_delivery(self) -> None:
        if not self._scheduled:
            self._scheduled = True
            self.loop.call_soon(self._deliver)

    def _deliver(self) -> None:
        self._scheduled = False
        client = self.client
        if client is None or self.lost or self.end.closing or not self.end.reading:
            return
        data = b""
        while self.in_flight and self.in_flight[0] is not None:
            chunk = self.in_flight.pop(0)
            assert chunk is not None
            data += chunk
        if data:
            client.data_received(data)
            if self.in_flight:
                self.schedule_delivery()  # the end of the stream: read next time
            return
        if self.in_flight:  # the end of the stream
            self.in_flight.pop(0)
            client.eof_received()
            self.end.close()  # eof_received() returned None: asyncio closes the transport

    def client_closed(self) -> None:
        """The client closed TCP: the server sees the end; connection_lost() follows."""
        self.loop.call_soon(self._lose)

    def _lose(self) -> None:
        if self.lost:
            return
        self.server.receive_eof()
        self.server.data_to_send()
        self.lost = True
        assert self.client is not None
        self.client.connection_lost(None)


class WireLoopMixin:
    """For a :class:`tests.model.sim.VirtualLoop`: ``create_connection`` opens a
    :class:`Wire` (the last one in :attr:`wires`) instead of a socket."""

    wires: list[Wire]

    async def create_connection(self, protocol_factory: Any, *args: Any, **kwargs: Any) -> Any:
        client = protocol_factory()
        assert isinstance(client, StreamTransport)
        wire = Wire(self)  # type: ignore[arg-type]
        self.wires.append(wire)
        wire.connect(client)
        return wire.end, client
