// Preloaded (`node --import`) into a server under bench/phases.ts: notes, per request, when it arrived,
// when its upstream request was first written, when the upstream's answer came (its headers) and when
// the first byte of the answer to the client was written. Node's own hooks only; nothing in the server.
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { ClientRequest } from 'node:http';
import { Socket } from 'node:net';

const rows = [];
let current;
const mark = (name) => {
  if (current && current[name] === undefined) current[name] = performance.now();
};
subscribe('http.server.request.start', () => {
  current = { arrived: performance.now() };
  rows.push(current);
});
const emit = ClientRequest.prototype.emit;
ClientRequest.prototype.emit = function (event, ...args) {
  if (event === 'response') mark('upstreamAnswered');
  return emit.call(this, event, ...args);
};
for (const method of ['_writeGeneric', '_writev']) {
  const write = Socket.prototype[method];
  Socket.prototype[method] = function (...args) {
    if (!this.server) mark('upstreamWritten');
    else if (current?.upstreamAnswered !== undefined) mark('answered');
    return write.apply(this, args);
  };
}
process.once('SIGTERM', () => {
  writeFileSync(process.env.PHASES_OUT, JSON.stringify(rows));
  process.exit(0);
});
