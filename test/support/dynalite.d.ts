/** dynalite ships no types: what the tests use of it (an http.Server speaking DynamoDB's protocol). */
declare module 'dynalite' {
  import type { Server } from 'node:http';
  export default function dynalite(options?: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number; path?: string }): Server;
}
