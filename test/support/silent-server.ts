import { createServer, type Server, type Socket } from 'node:net';

/** A server that accepts every connection and never answers: the fault a time limit must catch. */
export class SilentServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** Connections accepted so far (each attempt of a client is one). */
  accepted = 0;

  constructor() {
    this.server = createServer((socket) => {
      this.accepted++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address() as { port: number };
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
