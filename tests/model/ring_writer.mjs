// The relay ring's real writer (pyws/_platform/relay.mjs, RingWriter) in Node, driven one
// step at a time by tests/model/test_relay_ring.py over stdin/stdout, one JSON line each.
// Each request carries the reader's side of the header (READ, WAITING), which the Python
// reader changed since the last step; each answer is the writer's side after the step
// (WRITE, WAITING, the data bytes as hex, the records still queued).
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const [relayPath] = process.argv.slice(2);
const { RingWriter, HEADER_SLOTS, WRITE, READ, WAITING, CAPACITY } = await import(
  pathToFileURL(relayPath).href
);

let header, data, writer;
const hex = (bytes) => Buffer.from(bytes).toString("hex");

for await (const line of createInterface({ input: process.stdin })) {
  const step = JSON.parse(line);
  if (step.op === "new") {
    const sab = new SharedArrayBuffer(HEADER_SLOTS * 4 + step.capacity);
    header = new Int32Array(sab, 0, HEADER_SLOTS);
    header[CAPACITY] = step.capacity;
    header[WRITE] = header[READ] = step.start | 0;
    data = new Uint8Array(sab, HEADER_SLOTS * 4, step.capacity);
    writer = new RingWriter(sab);
  } else {
    Atomics.store(header, READ, step.read);
    Atomics.store(header, WAITING, step.waiting);
    if (step.op === "push") writer.push(step.id, step.kind, Buffer.from(step.payload, "hex"));
    else if (step.op === "space") writer.flush();
  }
  const answer = {
    write: Atomics.load(header, WRITE),
    waiting: Atomics.load(header, WAITING),
    data: hex(data),
    queued: writer.queue.length,
  };
  process.stdout.write(JSON.stringify(answer) + "\n");
}
