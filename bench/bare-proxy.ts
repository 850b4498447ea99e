/**
 * The price of an HTTP hop on its own: a Node server that does nothing but pass each request to the
 * emulator and pipe the answer back, bytes untouched. The benchmark sends the direct SDK calls through
 * it too; what that adds to the first token is what any gateway in its place would add before doing
 * any work at all. Prints its URL.
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

const upstream = new URL(process.argv[2]!);
const agent = new Agent({ keepAlive: true });
const server = createServer((incoming, outgoing) => {
  const forward = request(
    { host: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, headers: incoming.headers, agent },
    (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    },
  );
  forward.on('error', () => outgoing.destroy());
  incoming.pipe(forward);
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
