"""Compatibility layers: code written for another WebSocket client library runs unchanged
over pyws in Pyodide.

One module per library: :mod:`pyws.compat.websockets` (``pyws.patch_websockets()``).
Each patch does nothing outside Pyodide and returns False; a second call changes nothing.
"""
