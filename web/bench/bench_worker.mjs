// The relay's contender (pyws_sync_relay): Pyodide and pyws.sync in a dedicated worker,
// blocking through the relay while the page (bench.js, which called hostRelays on this
// worker) holds the socket. Messages from the page: {op: "payloads", payloads} once, then
// {op: "run", id, scenario, options}; each answered with {id, ok, result | error}.
import { loadPyodide } from "/pyodide/pyodide.mjs";

const FILES = ["bench_common.py", "bench_pyws.py", "bench_sync.py"];

const pyodide = await loadPyodide({ indexURL: "/pyodide/" });
await pyodide.loadPackage("pyws", { messageCallback: () => {} });
for (const name of FILES) {
  const response = await fetch(`./${name}`);
  if (!response.ok) throw new Error(`fetching ${name}: HTTP ${response.status}`);
  pyodide.FS.writeFile(`/home/pyodide/${name}`, await response.text());
}
pyodide.runPython("import sys; sys.path.insert(0, '/home/pyodide')");
const sync = pyodide.pyimport("bench_sync");

self.onmessage = async ({ data }) => {
  if (data.op === "payloads") {
    globalThis.benchPayloads = data.payloads;
    self.postMessage({ id: data.id, ok: true });
    return;
  }
  try {
    const result = await sync.run(data.scenario, data.options, "relay");
    self.postMessage({ id: data.id, ok: true, result });
  } catch (error) {
    self.postMessage({ id: data.id, ok: false, error: String(error?.stack ?? error) });
  }
};
self.postMessage({ ready: true });
