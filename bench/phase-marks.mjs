// Preloaded (`node --import`) into a server under bench/phases.ts: notes, per request, when it arrived,
// when its upstream request was first written, when the upstream's answer came (its headers) and when
// the first byte of the answer's body to the client was written. Node's own hooks only; nothing in the server.
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
// A server that flushes a stream's headers on their own (the minimal app does) has not answered yet:
// the client's first byte is the body's, so a write of headers alone does not count.
const headersOnly = (data) => {
  const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('latin1') : '';
  return text.startsWith('HTTP/') && text.endsWith('\r\n\r\n');
};
// Every socket write goes through _writeGeneric(writev, data, encoding, callback).
const writeGeneric = Socket.prototype._writeGeneric;
Socket.prototype._writeGeneric = function (writev, data, ...rest) {
  if (!this.server) mark('upstreamWritten');
  else if (current?.upstreamAnswered !== undefined && !(writev ? data.map((part) => part.chunk) : [data]).every(headersOnly)) mark('answered');
  return writeGeneric.call(this, writev, data, ...rest);
};
process.once('SIGTERM', () => {
  writeFileSync(process.env.PHASES_OUT, JSON.stringify(rows));
  process.exit(0);
});
