/**
 * Tool calls written into a model's text, as prompt-string containers (and OpenAI-speaking servers
 * started without a tool parser) return them: each template family has its own way
 * (docs/wire-facts.md §8). A parser reads the text as it streams and separates what is plain text
 * from the calls, holding back text that may be the start of a call.
 */
export interface ParsedToolCall {
  /** The model's own id (Mistral writes one); the gateway makes one otherwise. */
  id?: string;
  name: string;
  /** JSON text, as OpenAI's `function.arguments`. */
  arguments: string;
}

/** What a parser can let go of now: text safe to show, and whole calls. */
export interface TextAndCalls {
  text: string;
  calls: ParsedToolCall[];
}

export interface ToolCallTextParser {
  push(text: string): TextAndCalls;
  /** At the end of the answer: what was held back, as calls when it parses, else as text. */
  end(): TextAndCalls;
}

/** The template families whose tool calls the gateway can render and read (vLLM's parser names). */
export type ToolCallFamily = 'hermes' | 'llama3_json' | 'mistral';

export const NONE: TextAndCalls = Object.freeze({ text: '', calls: [] }) as TextAndCalls;

/** How many characters at the end of `text` could begin `marker` (they must be held back). */
export function partialMarker(text: string, marker: string): number {
  for (let k = Math.min(marker.length - 1, text.length); k > 0; k--) if (text.endsWith(marker.slice(0, k))) return k;
  return 0;
}

/** `{"name", "arguments" | "parameters"}` as a call, or undefined. */
export function callFromObject(value: unknown): ParsedToolCall | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const fn = typeof v.function === 'object' && v.function !== null ? (v.function as Record<string, unknown>) : v;
  const name = fn.name;
  if (typeof name !== 'string' || name === '') return undefined;
  const args = fn.arguments ?? fn.parameters ?? {};
  const text = typeof args === 'string' ? args : JSON.stringify(args);
  return { name, arguments: text, ...(typeof v.id === 'string' && v.id && { id: v.id }) };
}

/** Calls from JSON values: an object, or an array of objects; undefined when any is not a call. */
export function callsFromValues(values: unknown[]): ParsedToolCall[] | undefined {
  const calls: ParsedToolCall[] = [];
  for (const value of values) {
    for (const item of Array.isArray(value) ? value : [value]) {
      const call = callFromObject(item);
      if (!call) return undefined;
      calls.push(call);
    }
  }
  return calls.length ? calls : undefined;
}

/**
 * The JSON values in `text`, one after another, separated by white space, `;` or `,` (Llama writes
 * several calls with `;`). Undefined when anything else is in between or a value does not parse.
 */
export function jsonValues(text: string): unknown[] | undefined {
  const values: unknown[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ';' || c === ',' || /\s/.test(c)) {
      i++;
      continue;
    }
    if (c !== '{' && c !== '[') return undefined;
    const end = closingBracket(text, i);
    if (end < 0) return undefined;
    try {
      values.push(JSON.parse(text.slice(i, end + 1)));
    } catch {
      return undefined;
    }
    i = end + 1;
  }
  return values;
}

/** The index of the bracket closing the one at `start`, strings respected; -1 when it never closes. */
function closingBracket(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (--depth === 0) return i;
    }
  }
  return -1;
}

/**
 * A call forced by a grammar (a named `tool_choice` or `required` on TGI's generate route): the whole
 * answer is the call's JSON, so everything is held to the end.
 */
export function forcedCallParser(): ToolCallTextParser {
  let held = '';
  return {
    push(text) {
      held += text;
      return NONE;
    },
    end() {
      const values = jsonValues(held.trim());
      const calls = values && callsFromValues(values);
      return calls ? { text: '', calls } : { text: held, calls: [] };
    },
  };
}
