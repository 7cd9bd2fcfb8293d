"""The client scenario suite: plain async functions that take the server's URLs and raise
on failure, written once and run unchanged on every target (browsers, workers, Node,
CPython). Only relative imports inside this package: it is imported as ``tests.scenarios``
in CPython and as ``scenarios`` where a target copies it into Pyodide's file system."""
