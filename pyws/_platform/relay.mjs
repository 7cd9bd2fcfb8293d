// pyws's relay host: lets pyws.sync block in a Web Worker where the runtime has no JSPI
// (Safari's engine). Shipped in the pyws wheel and served beside it (pyws-relay.mjs, next
// to pyodide.mjs in pyws's Pyodide distribution). The page calls, once per worker that
// runs Python, right after creating it:
//
//     import { hostRelays } from "/pyodide/pyws-relay.mjs";
//     const worker = new Worker("my-python-worker.js");
//     hostRelays(worker);
//
// and is served cross-origin isolated (Cross-Origin-Opener-Policy: same-origin,
// Cross-Origin-Embedder-Policy: require-corp), so that SharedArrayBuffer exists.
//
// How it works (pyws/_platform/relay.py is the other end): the worker's first blocking call
// posts {"pyws-relay": "hello", sab, port} to the page and waits (Atomics.wait) until the
// host answers in the SharedArrayBuffer. From then on the worker sends commands (open, send,
// close...) on the MessagePort, which it may do while Python runs; the page's WebSockets
// report everything (open, messages, errors, closes, bufferedAmount) as records in a ring
// in that SharedArrayBuffer, which the worker reads while it blocks, waiting on the write
// index. The worker cannot receive messages while Python blocks, so nothing comes back on
// the port.
//
// The ring: a header of Int32 slots, then CAPACITY data bytes (a power of two). WRITE and
// READ count bytes written and read since the start, modulo 2**32; the free space is
// CAPACITY - (WRITE - READ). A record is a 12-byte little-endian header (payload size u32,
// connection id u32, kind u8, flags u8, 2 bytes unused) and its payload, wrapping around
// the end of the data. A message larger than the free space goes in pieces, each with
// flag MORE but the last; the pieces of one message are consecutive (the writer finishes a
// message before it starts the next). When a record does not fit, the writer sets WAITING
// and keeps the record queued; the reader, after it advanced READ, clears WAITING and posts
// ["space"], and the writer goes on. With sequentially consistent Atomics, the writer sets
// WAITING and then checks the space again, the reader advances READ and then reads
// WAITING: one of the two sees the other, so no record is left waiting.

export const HEADER_SLOTS = 8;
export const WRITE = 0;
export const READ = 1;
export const WAITING = 2;
export const HELLO = 3;
export const CAPACITY = 4;
export const RECORD_HEADER = 12;
export const MORE = 1;

export const KIND = Object.freeze({
  CREATED: 1, // payload: the socket's URL (UTF-8)
  REFUSED: 2, // payload: JSON {name, message}: new WebSocket() threw
  OPEN: 3, // payload: JSON {url, protocol, extensions}
  TEXT: 4, // payload: the message, UTF-8
  BINARY: 5, // payload: the message's bytes
  BLOB: 6, // payload: the message's bytes; it arrived while binary_type was "blob"
  ERROR: 7, // no payload
  CLOSE: 8, // payload: JSON {code, reason, wasClean}
  BUFFERED: 9, // payload: u32 bufferedAmount (clamped), u32 sends done so far
});

export const TAG = "pyws-relay";

const encoder = new TextEncoder();

/** The writing end of the ring: records queue here until they fit. */
export class RingWriter {
  constructor(sab) {
    this.header = new Int32Array(sab, 0, HEADER_SLOTS);
    this.capacity = this.header[CAPACITY];
    this.data = new Uint8Array(sab, HEADER_SLOTS * 4, this.capacity);
    this.queue = [];
    this.offset = 0; // bytes of queue[0]'s payload already written
  }

  /** Queue a record (payload: a Uint8Array) and write what fits now. */
  push(id, kind, payload = new Uint8Array(0)) {
    this.queue.push({ id, kind, payload });
    if (this.queue.length === 1) this.flush();
  }

  /** Write queued records (pieces of them) while they fit; true once the queue is empty. */
  flush() {
    const { header, capacity } = this;
    let wrote = false;
    while (this.queue.length) {
      const record = this.queue[0];
      const remaining = record.payload.length - this.offset;
      let write = Atomics.load(header, WRITE) >>> 0;
      let free = capacity - ((write - (Atomics.load(header, READ) >>> 0)) >>> 0);
      if (!fits(free, remaining)) {
        Atomics.store(header, WAITING, 1);
        free = capacity - ((write - (Atomics.load(header, READ) >>> 0)) >>> 0);
        if (!fits(free, remaining)) break;
      }
      const size = Math.min(remaining, free - RECORD_HEADER);
      const last = size === remaining;
      const head = new Uint8Array(RECORD_HEADER);
      const view = new DataView(head.buffer);
      view.setUint32(0, size, true);
      view.setUint32(4, record.id, true);
      head[8] = record.kind;
      head[9] = last ? 0 : MORE;
      this.copyIn(write, head);
      this.copyIn(write + RECORD_HEADER, record.payload.subarray(this.offset, this.offset + size));
      write = (write + RECORD_HEADER + size) >>> 0;
      Atomics.store(header, WRITE, write | 0);
      wrote = true;
      if (last) {
        this.queue.shift();
        this.offset = 0;
      } else {
        this.offset += size;
      }
    }
    if (wrote) Atomics.notify(header, WRITE);
    return this.queue.length === 0;
  }

  copyIn(position, bytes) {
    const start = (position >>> 0) % this.capacity;
    const first = Math.min(bytes.length, this.capacity - start);
    this.data.set(bytes.subarray(0, first), start);
    if (first < bytes.length) this.data.set(bytes.subarray(first), 0);
  }
}

// A record fits when its header and at least one byte of what remains of its payload do
// (all of an empty payload: the header alone).
function fits(free, remaining) {
  return free >= RECORD_HEADER + Math.min(remaining, 1);
}

const json = (value) => encoder.encode(JSON.stringify(value));
const POLL_MS = 4;

/** One worker's relays: its sockets, answering its commands, writing its ring. */
export class Host {
  constructor(sab, port) {
    this.writer = new RingWriter(sab);
    this.sockets = new Map();
    this.polling = null;
    this.port = port;
    port.onmessage = (event) => this.command(event.data);
    const header = this.writer.header;
    Atomics.store(header, HELLO, 1);
    Atomics.notify(header, HELLO);
  }

  command(message) {
    const [op, id] = message;
    const socket = this.sockets.get(id);
    if (op === "space") this.writer.flush();
    else if (op === "open") this.open(id, message[2], message[3], message[4]);
    else if (socket === undefined) return; // released meanwhile
    else if (op === "send") this.send(id, socket, message[2]);
    else if (op === "binaryType") socket.blob = message[2] === "blob";
    else if (op === "close") this.close(socket, message[2], message[3]);
    else if (op === "release") this.release(id, socket);
  }

  open(id, url, protocols, binaryType) {
    const push = (kind, payload) => this.writer.push(id, kind, payload);
    let ws;
    try {
      ws = new WebSocket(url, protocols);
    } catch (error) {
      push(KIND.REFUSED, json({ name: error?.name ?? "Error", message: String(error?.message ?? error) }));
      return;
    }
    ws.binaryType = "arraybuffer"; // bytes cross the ring either way; a Blob is made there
    const socket = { ws, blob: binaryType === "blob", done: 0, reported: -1, pending: null };
    this.sockets.set(id, socket);
    push(KIND.CREATED, encoder.encode(ws.url));
    ws.onopen = () =>
      push(KIND.OPEN, json({ url: ws.url, protocol: ws.protocol, extensions: ws.extensions }));
    ws.onmessage = (event) => {
      const data = event.data;
      if (typeof data === "string") push(KIND.TEXT, encoder.encode(data));
      else push(socket.blob ? KIND.BLOB : KIND.BINARY, new Uint8Array(data));
    };
    ws.onerror = () => push(KIND.ERROR);
    ws.onclose = (event) => {
      this.report(id, socket);
      push(KIND.CLOSE, json({ code: event.code, reason: event.reason, wasClean: event.wasClean }));
    };
  }

  // A Blob is read here and sent as its bytes, the sends and the close after it waiting
  // their turn, as pyws's own WebSocket transport does (WebKitGTK 2.50 and Node 20 sent
  // the close frame before a Blob sent just before it: see pyws/_platform/websocket.py).
  send(id, socket, data) {
    if (data instanceof Blob) {
      const send = (bytes) => this.sendNow(id, socket, bytes);
      this.later(socket, () => data.arrayBuffer().then(send, () => send(null)));
    } else if (socket.pending !== null) {
      this.later(socket, () => this.sendNow(id, socket, data));
    } else {
      this.sendNow(id, socket, data);
    }
  }

  sendNow(id, socket, data) {
    if (data !== null && socket.ws.readyState === WebSocket.OPEN) socket.ws.send(data);
    socket.done += 1;
    this.report(id, socket, true);
  }

  later(socket, action) {
    const pending = (socket.pending ?? Promise.resolve()).then(action);
    socket.pending = pending;
    pending.then(() => {
      if (socket.pending === pending) socket.pending = null;
    });
  }

  close(socket, code, reason) {
    const close = () => {
      try {
        socket.ws.close(code, reason);
      } catch {
        socket.ws.close(); // pyws checked code and reason already: not expected
      }
    };
    if (socket.pending !== null) this.later(socket, close);
    else close();
  }

  release(id, socket) {
    const ws = socket.ws;
    ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
    if (ws.readyState < WebSocket.CLOSING) ws.close();
    this.sockets.delete(id);
  }

  // bufferedAmount has no event: after each send, and every POLL_MS while it is not 0.
  report(id, socket, force = false) {
    const amount = Math.min(socket.ws.bufferedAmount, 0xffffffff);
    if (force || amount !== socket.reported) {
      socket.reported = amount;
      const payload = new Uint8Array(8);
      const view = new DataView(payload.buffer);
      view.setUint32(0, amount, true);
      view.setUint32(4, socket.done >>> 0, true);
      this.writer.push(id, KIND.BUFFERED, payload);
    }
    if (amount > 0 && this.polling === null) {
      this.polling = setTimeout(() => this.poll(), POLL_MS);
    }
  }

  poll() {
    this.polling = null;
    for (const [id, socket] of this.sockets) {
      if (socket.reported > 0) this.report(id, socket);
    }
  }
}

/**
 * Host the relays of pyws.sync for the Python in `worker` (a Worker this page created):
 * call it once, right after `new Worker(...)`, before the worker's own message handlers
 * are set (it takes pyws's hello message from the worker and passes on every other one).
 * The page must be cross-origin isolated. Returns the `worker`.
 */
export function hostRelays(worker) {
  worker.addEventListener("message", (event) => {
    const data = event.data;
    if (data === null || typeof data !== "object" || data[TAG] !== "hello") return;
    event.stopImmediatePropagation();
    new Host(data.sab, data.port);
  });
  return worker;
}
