import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

/** Images made in the tests, never downloaded. */
export const solidPng = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .png()
    .toBuffer();

/** Random pixels: compresses badly, for size limits. */
export function noise(width: number, height: number, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i += 4) raw.writeUInt32LE((Math.random() * 0xffffffff) >>> 0, i);
  const image = sharp(raw, { raw: { width, height, channels: 3 } });
  return (format === 'png' ? image.png({ compressionLevel: 1 }) : image.jpeg({ quality: 95 })).toBuffer();
}

export const dataUrl = (bytes: Buffer, type = 'image/png') => `data:${type};base64,${bytes.toString('base64')}`;

/** A local image host: serves given paths, counts requests, and can redirect or stall. */
export class ImageServer {
  readonly hits: string[] = [];
  private server: Server | undefined;
  port = 0;

  constructor(
    private readonly routes: Record<
      string,
      (url: string) => { status?: number; headers?: Record<string, string>; body?: Buffer | string; stall?: boolean }
    >,
  ) {}

  async start(): Promise<number> {
    this.server = createServer((req, res) => {
      this.hits.push(req.url ?? '');
      const route = this.routes[(req.url ?? '').split('?')[0]!];
      if (!route) return void res.writeHead(404).end('not found');
      const out = route(req.url ?? '');
      if (out.stall) return;
      res.writeHead(out.status ?? 200, out.headers ?? { 'content-type': 'image/png' });
      res.end(out.body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
