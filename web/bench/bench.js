// The benchmark page. The harness (python -m bench) launches Chromium on this page with
// ?control=ws://127.0.0.1:PORT/; the page connects back, takes commands, and reports
// results. No DevTools connection is attached while it measures.
//
//   ?mode=main     (default) load Pyodide + pyws (+ PyScript), then run scenarios on command
//   ?mode=startup&variant=base|pyws|preload|installer   time loadPyodide() (+ loadPackage("pyws") +
//                                     import pyws; or loadPyodide({packages: ["pyws"]}); or
//                                     loadPackage("iniconfig") first, then pyws's)
//
// The Python contenders live in bench_pyws.py, bench_jsqueue.py, bench_naive.py and
// bench_pyscript.py; the scenarios they share in bench_common.py. The raw JavaScript
// contenders are below: the same scenarios over WebSocket ("js") and WebSocketStream ("wss").

const params = new URLSearchParams(location.search);
const CONTROL = params.get("control");
const MODE = params.get("mode") ?? "main";
const PY_FILES = [
  "bench_common.py",
  "bench_pyws.py",
  "bench_pyws_stream.py",
  "bench_jsqueue.py",
  "bench_variants.py",
  "bench_naive.py",
  "bench_sync.py",
];
const PYODIDE_URL = "/pyodide/pyodide.mjs";
const PYSCRIPT_URL = "/node_modules/@pyscript/core/dist/core.js";

const status = (text) => {
  const node = document.getElementById("status");
  if (node) node.textContent = text;
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function openControl() {
  return new Promise((resolve, reject) => {
    if (!CONTROL) {
      reject(new Error("no ?control= URL: start this page with `python -m bench`"));
      return;
    }
    const ws = new WebSocket(CONTROL);
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error(`cannot reach the harness at ${CONTROL}`));
  });
}

// --- the raw JavaScript contenders ------------------------------------------------------

const text = (i) => String(i).padStart(16, "0");

function percentile(values, q) {
  const ordered = Float64Array.from(values).sort();
  const rank = Math.max(0, Math.min(ordered.length - 1, Math.round(q * ordered.length + 0.5) - 1));
  return ordered[rank];
}

function openSocket(url, binaryType) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.binaryType = binaryType === "blob" ? "blob" : "arraybuffer";
    ws.onopen = () => resolve(ws);
    ws.onclose = (e) => reject(new Error(`cannot connect to ${url}: ${e.code}`));
  });
}

function closeSocket(ws) {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.onclose = () => resolve();
    ws.close();
    setTimeout(resolve, 10_000);
  });
}

// One message at a time: send, then a promise for the echo.
function echoer(ws) {
  let pending = null;
  ws.onmessage = (e) => pending(e.data);
  return (message) =>
    new Promise((resolve) => {
      pending = resolve;
      ws.send(message);
    });
}

function sameTexts(got, n) {
  if (got.length !== n) return false;
  for (let i = 0; i < n; i++) if (got[i] !== text(i)) return false;
  return true;
}

async function sha256Hex(chunks) {
  const size = chunks.reduce((total, chunk) => total + chunk.byteLength, 0);
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(new Uint8Array(chunk.buffer ?? chunk, chunk.byteOffset ?? 0, chunk.byteLength), offset);
    offset += chunk.byteLength;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return { size, hex: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("") };
}

// Send `count` text messages at once; resolve with their echoes once all are back.
function batcher(ws) {
  return (count) =>
    new Promise((resolve) => {
      const got = [];
      ws.onmessage = (e) => {
        got.push(e.data);
        if (got.length === count) resolve(got);
      };
      for (let i = 0; i < count; i++) ws.send(text(i));
      sendsDone = performance.now();
    });
}

// When the last send of the latest batch returned (pipelined: the send phase apart).
let sendsDone = 0;

// Keep `window` binary messages in flight until n have come back.
function windowed(ws, payloads, n, window) {
  return new Promise((resolve) => {
    const got = [];
    let sent = 0;
    ws.onmessage = (e) => {
      got.push(e.data);
      if (got.length === n) resolve(got);
      else if (sent < n) ws.send(payloads[sent++ % payloads.length]);
    };
    while (sent < Math.min(window, n)) ws.send(payloads[sent++ % payloads.length]);
  });
}

// The same four operations over WebSocketStream (Chromium): a connection is its reader and
// writer. Writes are not awaited, as WebSocket.send() returns at once; reads are.
async function openStream(url) {
  const wss = new WebSocketStream(url);
  const { readable, writable } = await wss.opened;
  return { wss, reader: readable.getReader(), writer: writable.getWriter() };
}

async function closeStream({ wss }) {
  wss.close({ closeCode: 1000, reason: "" });
  await Promise.race([wss.closed.catch(() => {}), sleep(10_000)]);
}

function streamEchoer({ reader, writer }) {
  return async (message) => {
    writer.write(message);
    return (await reader.read()).value;
  };
}

function streamBatcher({ reader, writer }) {
  return async (count) => {
    for (let i = 0; i < count; i++) writer.write(text(i));
    sendsDone = performance.now();
    const got = [];
    while (got.length < count) got.push((await reader.read()).value);
    return got;
  };
}

async function streamWindowed({ reader, writer }, payloads, n, window) {
  const got = [];
  let sent = 0;
  while (sent < Math.min(window, n)) writer.write(payloads[sent++ % payloads.length]);
  while (got.length < n) {
    got.push((await reader.read()).value); // an ArrayBuffer (or Uint8Array) for binary
    if (got.length < n && sent < n) writer.write(payloads[sent++ % payloads.length]);
  }
  return got;
}

const SOCKET = { open: openSocket, close: closeSocket, echoer, batcher, windowed };
const STREAM = {
  open: openStream,
  close: closeStream,
  echoer: streamEchoer,
  batcher: streamBatcher,
  windowed: streamWindowed,
};

// The scenarios once, over either API.
function rawContender(api) {
  return {
    async rtt({ url, n, warmup }) {
      const ws = await api.open(url, "bytes");
      const echo = api.echoer(ws);
      for (let i = 0; i < warmup; i++) await echo(text(i));
      const latencies = new Float64Array(n);
      const got = [];
      const start = performance.now();
      for (let i = 0; i < n; i++) {
        const sent = performance.now();
        got.push(await echo(text(i)));
        latencies[i] = performance.now() - sent;
      }
      const seconds = (performance.now() - start) / 1000;
      await api.close(ws);
      return {
        seconds,
        rate: n / seconds,
        unit: "msg/s",
        latency_median_us: percentile(latencies, 0.5) * 1000,
        latency_p99_us: percentile(latencies, 0.99) * 1000,
        intact: sameTexts(got, n),
      };
    },

    async pipelined({ url, n, warmup }) {
      const ws = await api.open(url, "bytes");
      const batch = api.batcher(ws);
      if (warmup) await batch(warmup);
      const start = performance.now();
      const got = await batch(n);
      const seconds = (performance.now() - start) / 1000;
      const send_seconds = (sendsDone - start) / 1000;
      await api.close(ws);
      return { seconds, send_seconds, rate: n / seconds, unit: "msg/s", intact: sameTexts(got, n) };
    },

    async binary(options) {
      return binaryScenario(api, options, "bytes");
    },

    async blob(options) {
      return binaryScenario(api, options, "blob");
    },

    async fanin({ url, n, warmup, connections }) {
      const sockets = await Promise.all(
        Array.from({ length: connections }, () => api.open(url, "bytes")),
      );
      const echoes = sockets.map(api.echoer);
      const loop = async (echo, count, out) => {
        for (let i = 0; i < count; i++) {
          const message = await echo(text(i));
          if (out) out.push(message);
        }
      };
      await Promise.all(echoes.map((echo) => loop(echo, warmup, null)));
      const results = echoes.map(() => []);
      const start = performance.now();
      await Promise.all(echoes.map((echo, k) => loop(echo, n, results[k])));
      const seconds = (performance.now() - start) / 1000;
      await Promise.all(sockets.map(api.close));
      return {
        seconds,
        rate: (connections * n) / seconds,
        unit: "msg/s",
        intact: results.every((got) => sameTexts(got, n)),
      };
    },
  };
}

const raw = { js: rawContender(SOCKET), wss: rawContender(STREAM) };

async function binaryScenario(api, { url, n, warmup, window }, binaryType) {
  const payloads = globalThis.benchPayloads;
  const ws = await api.open(url, binaryType);
  if (warmup) await api.windowed(ws, payloads, warmup, window);
  const start = performance.now();
  const got = await api.windowed(ws, payloads, n, window);
  const seconds = (performance.now() - start) / 1000;
  await api.close(ws);
  const buffers = binaryType === "blob" ? await Promise.all(got.map((b) => b.arrayBuffer())) : got;
  const received = await sha256Hex(buffers);
  const expected = await sha256Hex(Array.from({ length: n }, (_, i) => payloads[i % payloads.length]));
  return {
    seconds,
    rate: received.size / 2 ** 20 / seconds,
    unit: "MiB/s",
    messages: got.length,
    digest: received.hex,
    intact: received.hex === expected.hex,
  };
}

// --- the Python contenders --------------------------------------------------------------

let pyodide = null;
const python = {};

function makePayloads(count, size) {
  const payloads = [];
  for (let k = 0; k < count; k++) {
    const buffer = new Uint8Array(size);
    for (let offset = 0; offset < size; offset += 65536) {
      crypto.getRandomValues(buffer.subarray(offset, Math.min(size, offset + 65536)));
    }
    payloads.push(buffer);
  }
  return payloads;
}

async function loadPyScript(timeoutMs) {
  const errors = [];
  const onError = (e) => errors.push(String(e.message ?? e.reason ?? e));
  addEventListener("error", onError);
  addEventListener("unhandledrejection", onError);
  const consoleError = console.error;
  console.error = (...args) => {
    errors.push(args.map(String).join(" "));
    consoleError(...args);
  };
  try {
    const script = document.createElement("script");
    script.type = "py";
    script.src = "./bench_pyscript.py";
    script.setAttribute("config", "./pyscript.json");
    document.body.append(script);
    const started = performance.now();
    await import(PYSCRIPT_URL);
    // bench_pyscript.py sets window.pyscriptBench as its last statement; poll for it.
    const shownErrors = () => [...document.querySelectorAll(".py-error")].map((n) => n.textContent);
    while (!globalThis.pyscriptBench && performance.now() - started < timeoutMs) {
      if (shownErrors().length) break;
      await sleep(20);
    }
    if (!globalThis.pyscriptBench) {
      const shown = shownErrors();
      throw new Error(
        `PyScript did not start within ${timeoutMs} ms: ${[...errors, ...shown].join(" | ") || "no error reported"}`,
      );
    }
    const core = await (await fetch("/node_modules/@pyscript/core/package.json")).json();
    return { ok: true, version: core.version, load_ms: performance.now() - started };
  } finally {
    removeEventListener("error", onError);
    removeEventListener("unhandledrejection", onError);
    console.error = consoleError;
  }
}

async function setup({ payloads, payload_size, pyscript, pyscript_timeout_ms }) {
  globalThis.benchPayloads = makePayloads(payloads, payload_size);
  status("loading Pyodide");
  const { loadPyodide } = await import(PYODIDE_URL);
  pyodide = await loadPyodide({ indexURL: "/pyodide/" });
  await pyodide.loadPackage("pyws", { messageCallback: () => {} });
  for (const name of PY_FILES) {
    const response = await fetch(`./${name}`);
    if (!response.ok) throw new Error(`fetching ${name}: HTTP ${response.status}`);
    pyodide.FS.writeFile(`/home/pyodide/${name}`, await response.text());
  }
  pyodide.runPython("import sys; sys.path.insert(0, '/home/pyodide')");
  python.pyws = pyodide.pyimport("bench_pyws");
  python.pyws_stream = pyodide.pyimport("bench_pyws_stream");
  python.pyws_jsq = pyodide.pyimport("bench_jsqueue");
  const variants = pyodide.pyimport("bench_variants");
  for (const variant of ["inline", "defer", "timed", "adaptive"]) {
    python[`pyws_${variant}`] = { run: (scenario, options) => variants.run(variant, scenario, options) };
  }
  for (const variant of ["flat", "sync", "batch", "view"]) {
    python[`pyws_send_${variant}`] = {
      run: (scenario, options) => variants.run_send(variant, scenario, options),
    };
  }
  python.naive = pyodide.pyimport("bench_naive");
  python.pyws_sync = pyodide.pyimport("bench_sync"); // JSPI, in this page
  python.pyws_sync_relay = await relayContender(globalThis.benchPayloads);
  const info = {
    crossOriginIsolated: globalThis.crossOriginIsolated,
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    websocketstream: typeof globalThis.WebSocketStream === "function",
    pyodide: pyodide.version,
    pyws: pyodide.runPython("import pyws; pyws.__version__"),
    pyscript: { ok: false, error: "not requested" },
  };
  if (pyscript) {
    status("loading PyScript");
    try {
      info.pyscript = await loadPyScript(pyscript_timeout_ms);
    } catch (error) {
      info.pyscript = { ok: false, error: String(error?.stack ?? error) };
    }
  }
  status("ready");
  return info;
}

// pyws.sync through the relay: Python in a worker (bench_worker.mjs), its sockets hosted
// here, as docs/sync-relay.md sets it up. Resolves once the worker has loaded.
async function relayContender(payloads) {
  const { hostRelays } = await import("/pyodide/pyws-relay.mjs");
  const worker = new Worker("./bench_worker.mjs", { type: "module" });
  hostRelays(worker);
  const waiting = new Map();
  let next = 0;
  let ready;
  const started = new Promise((resolve, reject) => {
    ready = resolve;
    worker.onerror = (event) => reject(new Error(`bench_worker.mjs: ${event.message ?? event}`));
  });
  worker.onmessage = ({ data }) => {
    if (data.ready) return ready();
    const { resolve, reject } = waiting.get(data.id);
    waiting.delete(data.id);
    if (data.ok) resolve(data.result);
    else reject(new Error(data.error));
  };
  const ask = (message) =>
    new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ ...message, id });
    });
  await started;
  await ask({ op: "payloads", payloads });
  return { run: (scenario, options) => ask({ op: "run", scenario, options }) };
}

async function run({ contender, scenario, options }) {
  status(`${contender} ${scenario}`);
  let result;
  const needsStream = contender === "wss" || contender === "pyws_stream";
  if (needsStream && typeof globalThis.WebSocketStream !== "function") {
    throw new Error("this browser has no WebSocketStream");
  }
  if (contender in raw) {
    result = await raw[contender][scenario](options);
  } else if (contender in python) {
    result = JSON.parse(await python[contender].run(scenario, JSON.stringify(options)));
  } else if (contender === "pyscript") {
    if (!globalThis.pyscriptBench) throw new Error("PyScript is not loaded");
    result = JSON.parse(await globalThis.pyscriptBench(scenario, JSON.stringify(options)));
  } else {
    throw new Error(`unknown contender ${contender}`);
  }
  status(`${contender} ${scenario}: done`);
  return result;
}

async function main() {
  const control = await openControl();
  const handlers = { setup, run };
  control.onmessage = async (event) => {
    const message = JSON.parse(event.data);
    let reply;
    try {
      reply = { id: message.id, ok: true, result: await handlers[message.op](message) };
    } catch (error) {
      reply = { id: message.id, ok: false, error: String(error?.stack ?? error) };
    }
    control.send(JSON.stringify(reply));
  };
  control.send(JSON.stringify({ op: "hello", mode: MODE }));
}

// --- start-up -----------------------------------------------------------------------

async function startup() {
  const variant = params.get("variant");
  const start = performance.now();
  const { loadPyodide } = await import(PYODIDE_URL);
  // "preload": pyws named in loadPyodide's packages, so its fetch may overlap Pyodide's
  // own start-up; its share can then only be timed against the paired base load.
  const packages = variant === "preload" ? ["pyws"] : [];
  const py = await loadPyodide({ indexURL: "/pyodide/", packages });
  const loaded = performance.now();
  let packaged = loaded;
  let installed = loaded;
  if (variant === "installer") {
    // The first loadPackage of a session starts Pyodide's installer, whatever the package:
    // a 6 KiB wheel first, so that loadPackage("pyws") after it is pyws's own cost.
    await py.loadPackage("iniconfig", { messageCallback: () => {} });
    installed = performance.now();
  }
  if (variant === "pyws" || variant === "installer") {
    await py.loadPackage("pyws", { messageCallback: () => {} });
    packaged = performance.now();
  }
  if (variant !== "base") py.runPython("import pyws");
  const end = performance.now();
  // Connect only now, so that the control connection costs nothing measured.
  const control = await openControl();
  control.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.op === "goto") location.href = message.url;
  };
  control.send(
    JSON.stringify({
      op: "startup",
      variant,
      ms: end - start,
      pyodide_ms: loaded - start,
      installer_ms: installed - loaded,
      load_package_ms: packaged - installed,
      import_ms: end - packaged,
      crossOriginIsolated: globalThis.crossOriginIsolated,
      userAgent: navigator.userAgent,
    }),
  );
  status(`${variant}: ${(end - start).toFixed(1)} ms`);
}

(MODE === "startup" ? startup() : main()).catch((error) => {
  status(`error: ${error?.stack ?? error}`);
  console.error(error);
});
