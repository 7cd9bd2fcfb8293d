"""make_app() in-process, with aiohttp's own test server."""

from __future__ import annotations

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestClient, TestServer

from server import make_app
from tests.server.conftest import Tree
from tests.server.helpers import run


def test_make_app_in_process(tree: Tree) -> None:
    app = make_app(web_dir=tree.web, dist_dir=tree.dist, max_size=1024)
    assert isinstance(app, web.Application)

    async def go() -> None:
        async with TestClient(TestServer(app)) as client:
            page = await client.get("/")
            assert page.status == 200
            assert page.headers["Cross-Origin-Embedder-Policy"] == "require-corp"
            ws = await client.ws_connect("/echo", protocols=("v2.echo", "v1.echo"))
            assert ws.protocol == "v2.echo"
            await ws.send_bytes(b"in-process")
            assert (await ws.receive_bytes()) == b"in-process"
            await ws.send_bytes(b"x" * 1025)
            msg = await ws.receive()
            assert msg.type is WSMsgType.CLOSE and msg.data == 1009
            await ws.close()

    run(go())
