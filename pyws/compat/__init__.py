"""Compatibility layers: code written for another WebSocket client library runs unchanged
over pyws in Pyodide.

One module per library: :mod:`pyws.compat.websockets` (``pyws.patch_websockets()``),
:mod:`pyws.compat.aiohttp` (``pyws.patch_aiohttp()``) and
:mod:`pyws.compat.websocket_client` (``pyws.patch_websocket_client()``); what they share is
in :mod:`pyws.compat._common`. The websocket-client patch keeps its option tables and error
mapping in :mod:`pyws.compat._websocket_client_options`.
Each patch does nothing outside Pyodide and returns False; a second call changes nothing.
"""
