/**
 * The price of a hop on its own, for scale: a server that does nothing but pass each request to the
 * emulator and the answer back, bytes untouched. The benchmark sends direct SDK calls through it too;
 * what that adds to the first token is what a gateway in its place adds before doing any work.
 *   bare-proxy.ts <emulator url> http   a Node HTTP server and client (parse, forward, pipe)
 *   bare-proxy.ts <emulator url> tcp    a TCP relay, no HTTP parsing at all: the floor of any hop
 * Prints its URL.
 */
import { Agent, createServer as createHttpServer, request } from 'node:http';
import { type AddressInfo, connect, createServer as createTcpServer, type Server } from 'node:net';

const upstream = new URL(process.argv[2]!);
const agent = new Agent({ keepAlive: true });

const http = () =>
  createHttpServer((incoming, outgoing) => {
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

const tcp = () =>
  createTcpServer({ noDelay: true }, (socket) => {
    const relay = connect({ host: upstream.hostname, port: Number(upstream.port), noDelay: true });
    socket.pipe(relay).pipe(socket);
    socket.on('error', () => relay.destroy());
    relay.on('error', () => socket.destroy());
  });

const server: Server = process.argv[3] === 'tcp' ? tcp() : http();
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
