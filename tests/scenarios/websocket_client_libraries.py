"""Scenarios: two libraries built on websocket-client, which nobody here wrote, run
unchanged: obsws-python (OBS Studio's obs-websocket 5) and samsungtvws (a Samsung TV's
remote control), each against the server's fake of its service (server/devices.py).

In Pyodide over ``pyws.patch_websocket_client()``; in CPython over the real
websocket-client, as the proof that the fakes speak what the libraries expect.
"""

from __future__ import annotations

import warnings
from typing import Any
from urllib.parse import urlsplit

from . import environment
from .check import raises
from .suite import Server, scenario
from .sync_api import blocking
from .websocket_client_compat import websocket_client_ready

# The fakes' settings, as server/devices.py has them (the scenarios run where the server's
# package is not: in the page).
OBS_PASSWORD = "pyws-secret"
TV_TOKEN = "pyws-token-1"
TV_DENIED_NAME = "denied"
TV_APPS = ("111299001912", "3201907018807")


async def load(package: str) -> None:
    await websocket_client_ready()
    if environment.IN_PYODIDE:
        import pyodide_js

        await pyodide_js.loadPackage(package, messageCallback=lambda _: None)


def host_and_port(server: Server) -> tuple[str, int]:
    parts = urlsplit(server.ws)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


@scenario("sync")
async def obsws_python_runs_unchanged(server: Server) -> None:
    await load("obsws-python")
    import obsws_python as obs
    from obsws_python.error import OBSSDKError, OBSSDKRequestError

    host, port = host_and_port(server)

    def run() -> None:
        with obs.ReqClient(host=host, port=port, password=OBS_PASSWORD, timeout=10) as client:
            version = client.get_version()
            assert (version.obs_version, version.rpc_version) == ("30.2.0", 1), version
            scenes = client.get_scene_list()
            assert [s["sceneName"] for s in scenes.scenes] == ["Intro", "Live", "Outro"]
            client.set_current_program_scene("Live")
            assert client.get_current_program_scene().current_program_scene_name == "Live"
            client.set_input_mute("Mic", True)
            assert client.get_input_mute("Mic").input_muted is True
            with raises(OBSSDKRequestError) as caught:
                client.set_current_program_scene("No such scene")
            assert getattr(caught.value, "code", None) == 600
            with raises(OBSSDKRequestError, match="code 204"):
                client.send("NoSuchRequest")
        # A wrong password: OBS closes with 4009, and obsws-python reads an empty message.
        with raises(OBSSDKError, match="failed to identify client"):
            obs.ReqClient(host=host, port=port, password="wrong", timeout=10)

    await blocking(run)


@scenario("sync", "ssl")
async def samsungtvws_remote_runs_unchanged(server: Server) -> None:
    await load("samsungtvws")
    from samsungtvws import SamsungTVWS
    from samsungtvws.exceptions import UnauthorizedError

    host, port = host_and_port(server)

    def run() -> tuple[list[dict[str, Any]] | None, list[str]]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            tv = SamsungTVWS(host, port=port, name="pyws", key_press_delay=0, timeout=10)
            tv.send_key("KEY_VOLUP")
            tv.shortcuts().mute()
            tv.run_app("111299001912")
            assert tv.token == TV_TOKEN
            assert tv.is_alive()
            apps = tv.app_list()
            tv.close()
            assert not tv.is_alive()
            denied = SamsungTVWS(host, port=port, name=TV_DENIED_NAME, key_press_delay=0)
            with raises(UnauthorizedError):
                denied.open()
        return apps, [str(w.message) for w in caught if w.category is RuntimeWarning]

    apps, said = await blocking(run)
    assert apps is not None
    assert [a["appId"] for a in apps] == [
        *TV_APPS,
        "received:KEY_VOLUP",
        "received:KEY_MUTE",
        "received:111299001912",
    ], apps
    # samsungtvws passes connection="Connection: Upgrade" (for websocket-client 0.57): a
    # page cannot choose that header, and the patch says so.
    assert any("connection=" in line for line in said) is environment.IN_PYODIDE, said
