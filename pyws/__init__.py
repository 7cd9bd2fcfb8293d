"""pyws: a Pythonic asyncio WebSocket client for Pyodide, backed by the browser's WebSocket."""

__version__ = "0.1.0"
