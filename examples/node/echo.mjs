// pyws in Node: `npm install`, then `node --experimental-websocket echo.mjs` (Node 20;
// Node 22 and later have WebSocket without the flag). The bundled server (`make demo`)
// is the package index and the echo server; PYWS_SERVER names another one.
import { loadPyodide } from "pyodide";

const server = process.env.PYWS_SERVER ?? "http://127.0.0.1:8000";
const pyodide = await loadPyodide();
// Node's Pyodide downloads micropip once from Pyodide's CDN into node_modules/pyodide.
await pyodide.loadPackage("micropip");
pyodide.globals.set("server", server);
const reply = await pyodide.runPythonAsync(`
import micropip

await micropip.install("pyws", index_urls=[f"{server}/simple/"])

import pyws

async with pyws.connect(server.replace("http", "ws", 1) + "/echo") as ws:
    await ws.send("Hello from Node")
    reply = await ws.recv()
reply
`);
console.log(`echo: ${reply}`);
