// pyws in a dedicated module worker: what it prints, the page shows.
import { loadPyodide } from "https://cdn.jsdelivr.net/npm/pyodide@314.0.7/pyodide.mjs";

try {
  const pyodide = await loadPyodide({
    // Pyodide's own packages (micropip) come from its full distribution's lock file.
    lockFileURL: "https://cdn.jsdelivr.net/pyodide/v314.0.7/full/pyodide-lock.json",
  });
  await pyodide.loadPackage("micropip");
  const reply = await pyodide.runPythonAsync(`
import micropip

await micropip.install("pyws", index_urls=["http://127.0.0.1:8000/simple/"])

import pyws

async with pyws.connect("ws://127.0.0.1:8000/echo") as ws:
    await ws.send("Hello from a worker")
    reply = await ws.recv()
reply
`);
  postMessage(`echo: ${reply}`);
} catch (error) {
  postMessage(`error: ${error}`);
}
