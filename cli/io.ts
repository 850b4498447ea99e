/** Where a CLI command writes: results to `out` (pipeable), messages to `err`. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}
