// The scenario suite's boot: load Pyodide and pyws, unpack the scenarios, run them, report.
// One module for every Pyodide target; all the rest is Python (harness/suite_main.py).
//
//   page:    index.html?control=ws://...[&only=a.b,c.d]   runs here, on the main thread
//            index.html?control=...&worker=1               runs in a dedicated module worker
//            ...&worker=1&sync=relay                       pyws.sync through the relay
//   worker:  this module, started by the page with the page's query
//   Node:    node --experimental-websocket suite.mjs URL PYODIDE_MJS INDEX_URL
//            (URL is the runner page's; Pyodide from npm, packages from INDEX_URL)
//
// Messages to the control WebSocket: {op: "hello", context}, {op: "log", line} for each
// line Python prints, then {op: "report", report} or {op: "error", error}.

const IN_NODE = typeof process !== "undefined" && !!process.versions?.node;
const IN_WORKER = typeof WorkerGlobalScope !== "undefined";
const CONTEXT = IN_NODE ? "node" : IN_WORKER ? "worker" : "window";

function openControl(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error(`cannot reach the harness at ${url}`));
  });
}

function status(text) {
  const node = globalThis.document?.getElementById("status");
  if (node) node.textContent = text;
}

async function runSuite(url, pyodideModule, indexURL) {
  const control = await openControl(new URL(url).searchParams.get("control"));
  const send = (message) => control.send(JSON.stringify(message));
  send({ op: "hello", context: CONTEXT });
  try {
    status("loading Pyodide");
    const { loadPyodide } = await import(pyodideModule);
    const log = (line) => send({ op: "log", line });
    const pyodide = await loadPyodide({ indexURL, stdout: log, stderr: log });
    await pyodide.loadPackage("pyws", { messageCallback: () => {} });
    const zip = await fetch(new URL("/scenarios.zip", url));
    if (!zip.ok) throw new Error(`fetching scenarios.zip: HTTP ${zip.status}`);
    pyodide.unpackArchive(await zip.arrayBuffer(), "zip", { extractDir: "/home/pyodide/suite" });
    pyodide.runPython("import sys; sys.path.insert(0, '/home/pyodide/suite')");
    status("running the scenarios");
    const sendText = (text) => control.send(text);
    const report = await pyodide.pyimport("suite_main").run_json(url, sendText);
    send({ op: "report", report: JSON.parse(report) });
    status("done");
  } catch (error) {
    send({ op: "error", error: `${CONTEXT}: ${error?.stack ?? error}` });
    status(`error: ${error?.stack ?? error}`);
  }
  return control;
}

// A worker that fails to start (a syntax error, a failed import) says so only to its page.
// The page hosts pyws.sync's relay for it (docs/sync-relay.md): its one set-up step.
async function startWorker() {
  const { hostRelays } = await import(new URL("/pyodide/pyws-relay.mjs", location.href).href);
  const worker = new Worker(new URL(`./suite.mjs${location.search}`, location.href), {
    type: "module",
  });
  hostRelays(worker);
  worker.onerror = async (event) => {
    const control = await openControl(new URLSearchParams(location.search).get("control"));
    control.send(JSON.stringify({ op: "error", error: `worker: ${event.message ?? event}` }));
  };
  status("running in a worker");
}

if (IN_NODE) {
  const [url, pyodideModule, indexURL] = process.argv.slice(2);
  const control = await runSuite(url, pyodideModule, indexURL);
  control.onclose = () => process.exit(0);
  control.close();
} else if (!IN_WORKER && new URLSearchParams(location.search).get("worker")) {
  startWorker();
} else {
  const dist = new URL("/pyodide/", location.href).href;
  runSuite(location.href, `${dist}pyodide.mjs`, dist);
}
