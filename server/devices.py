"""Fakes of two WebSocket services that libraries built on websocket-client talk to, so
that those libraries run unchanged against this server
(tests/scenarios/websocket_client_libraries.py):

- ``/`` with an ``Upgrade: websocket`` header: OBS Studio's obs-websocket 5 (the protocol
  of obsws-python): Hello with an authentication challenge (password
  :data:`OBS_PASSWORD`), Identify, Identified, then requests and their responses, over a
  few scenes and one audio input. A wrong password closes with 4009, as OBS does. Plain
  GETs of ``/`` stay pages.
- ``/api/v2/channels/{app}``: a Samsung Smart TV's remote-control channel (samsungtvws):
  ``ms.channel.connect`` with a token (``ms.channel.unauthorized`` for the client name
  :data:`TV_DENIED_NAME`), then commands. A real TV answers remote keys with nothing; this
  one lists, after its installed apps, one entry per command it received on the
  connection (``appId`` ``"received:<key or app>"``), so a test can see what arrived.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from aiohttp import WSMsgType, web

from server.echo import accept

OBS_PASSWORD = "pyws-secret"
OBS_SALT = "c2FsdA=="
OBS_CHALLENGE = "Y2hhbGxlbmdl"
OBS_AUTH_FAILED = 4009
OBS_UNKNOWN_REQUEST = 204
OBS_SCENES = ("Intro", "Live", "Outro")

TV_TOKEN = "pyws-token-1"
TV_DENIED_NAME = "denied"
TV_APPS = (
    {"appId": "111299001912", "app_type": 2, "name": "YouTube", "is_lock": 0},
    {"appId": "3201907018807", "app_type": 2, "name": "Netflix", "is_lock": 0},
)


def is_upgrade(request: web.Request) -> bool:
    return request.headers.get("Upgrade", "").lower() == "websocket"


def obs_auth(password: str) -> str:
    """obs-websocket 5's answer to the challenge: base64(sha256(base64(sha256(password +
    salt)) + challenge))."""
    secret = base64.b64encode(hashlib.sha256((password + OBS_SALT).encode()).digest())
    return base64.b64encode(hashlib.sha256(secret + OBS_CHALLENGE.encode()).digest()).decode()


class _Obs:
    """One connection's OBS: its scenes and its one input's mute state."""

    def __init__(self) -> None:
        self.scene = OBS_SCENES[0]
        self.muted = False

    def answer(self, kind: str, data: dict[str, Any]) -> tuple[bool, int, dict[str, Any] | None]:
        """``(result, code, responseData)`` of one request."""
        if kind == "GetVersion":
            return True, 100, {
                "obsVersion": "30.2.0",
                "obsWebSocketVersion": "5.5.0",
                "rpcVersion": 1,
                "availableRequests": ["GetVersion", "GetSceneList", "GetCurrentProgramScene",
                                      "SetCurrentProgramScene", "GetInputMute", "SetInputMute"],
                "supportedImageFormats": ["png"],
                "platform": "pyws",
                "platformDescription": "the pyws test server's fake OBS",
            }  # fmt: skip
        if kind == "GetSceneList":
            scenes = [{"sceneName": n, "sceneIndex": i} for i, n in enumerate(OBS_SCENES)]
            return True, 100, {"currentProgramSceneName": self.scene, "scenes": scenes}
        if kind == "GetCurrentProgramScene":
            return True, 100, {"currentProgramSceneName": self.scene, "sceneName": self.scene}
        if kind == "SetCurrentProgramScene":
            if data.get("sceneName") not in OBS_SCENES:
                return False, 600, None  # ResourceNotFound
            self.scene = data["sceneName"]
            return True, 100, None
        if kind == "GetInputMute":
            return True, 100, {"inputMuted": self.muted}
        if kind == "SetInputMute":
            self.muted = bool(data.get("inputMuted"))
            return True, 100, None
        return False, OBS_UNKNOWN_REQUEST, None


async def obs(request: web.Request) -> web.StreamResponse:
    """obs-websocket 5 at ``/``, for an upgrade request."""
    async with accept(request, subprotocols=("obswebsocket.json",)) as conn:
        ws = conn.ws
        await ws.send_json({
            "op": 0,
            "d": {
                "obsWebSocketVersion": "5.5.0",
                "rpcVersion": 1,
                "authentication": {"challenge": OBS_CHALLENGE, "salt": OBS_SALT},
            },
        })  # fmt: skip
        identify = await ws.receive()
        if identify.type is not WSMsgType.TEXT:
            return ws
        auth = json.loads(identify.data).get("d", {}).get("authentication")
        if auth != obs_auth(OBS_PASSWORD):
            conn.close_code = OBS_AUTH_FAILED
            await ws.close(code=OBS_AUTH_FAILED, message=b"Authentication failed.")
            return ws
        await ws.send_json({"op": 2, "d": {"negotiatedRpcVersion": 1}})
        state = _Obs()
        async for message in ws:
            if message.type is not WSMsgType.TEXT:
                break
            body = json.loads(message.data)
            if body.get("op") != 6:
                continue
            asked = body["d"]
            result, code, data = state.answer(asked["requestType"], asked.get("requestData", {}))
            status: dict[str, Any] = {"result": result, "code": code}
            if not result:
                status["comment"] = f"fake OBS: {asked['requestType']} failed"
            reply = {"requestType": asked["requestType"], "requestId": asked["requestId"],
                     "requestStatus": status}  # fmt: skip
            if data is not None:
                reply["responseData"] = data
            await ws.send_json({"op": 7, "d": reply})
    return conn.ws


async def samsung_tv(request: web.Request) -> web.StreamResponse:
    """A Samsung TV's channel at ``/api/v2/channels/{app}``."""
    name = base64.b64decode(request.query.get("name", "")).decode(errors="replace")
    async with accept(request) as conn:
        ws = conn.ws
        if name == TV_DENIED_NAME:
            await ws.send_json({"event": "ms.channel.unauthorized"})
            return ws
        await ws.send_json({"event": "ed.edenTV.update", "data": {"update_type": "ed.edenApp"}})
        await ws.send_json({
            "event": "ms.channel.connect",
            "data": {"id": "pyws", "token": TV_TOKEN, "clients": []},
        })  # fmt: skip
        received: list[str] = []
        async for message in ws:
            if message.type is not WSMsgType.TEXT:
                break
            body = json.loads(message.data)
            params = body.get("params", {})
            if body.get("method") == "ms.remote.control":
                received.append(params.get("DataOfCmd", "?"))
            elif params.get("event") == "ed.apps.launch":
                received.append(params["data"]["appId"])
            elif params.get("event") == "ed.installedApp.get":
                seen = [{"appId": f"received:{r}", "app_type": 0, "name": r, "is_lock": 0}
                        for r in received]  # fmt: skip
                await ws.send_json({
                    "event": "ed.installedApp.get",
                    "data": {"data": [*TV_APPS, *seen]},
                })  # fmt: skip
    return conn.ws
