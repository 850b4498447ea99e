import { callsFromValues, jsonValues, NONE, type ParsedToolCall, partialMarker, type ToolCallTextParser } from './tool-call-text.js';

const MARKER = '[TOOL_CALLS]';

/**
 * Mistral calls: `[TOOL_CALLS] [{"name": ..., "arguments": {...}, "id": "abcDEF123"}]` (v3), or
 * `[TOOL_CALLS]name[ARGS]{...}` (v11+, `[CALL_ID]id` between). `[TOOL_CALLS]` is a special token
 * that TGI drops from the text, so an answer starting with `[{` is read as calls too. Everything after
 * the marker is held to the end and given back as text when it does not parse (docs/wire-facts.md §8).
 */
export function mistralParser(): ToolCallTextParser {
  let held = '';
  let mode: 'start' | 'text' | 'calls' = 'start';
  return {
    push(text) {
      held += text;
      if (mode === 'calls') return NONE;
      if (mode === 'start') {
        const start = held.trimStart();
        if (start === '' || start === '[' || (MARKER.startsWith(start) && start.length < MARKER.length)) return NONE;
        if (start.startsWith('[{')) {
          mode = 'calls';
          return NONE;
        }
        mode = 'text';
      }
      const at = held.indexOf(MARKER);
      if (at >= 0) {
        const out = held.slice(0, at);
        held = held.slice(at);
        mode = 'calls';
        return { text: out, calls: [] };
      }
      const keep = partialMarker(held, MARKER);
      const out = held.slice(0, held.length - keep);
      held = held.slice(held.length - keep);
      return out ? { text: out, calls: [] } : NONE;
    },
    end() {
      const rest = held;
      held = '';
      if (mode !== 'calls') return { text: rest, calls: [] };
      const calls = parseCalls(rest);
      return calls ? { text: '', calls } : { text: rest, calls: [] };
    },
  };
}

function parseCalls(text: string): ParsedToolCall[] | undefined {
  const pieces = text
    .split(MARKER)
    .map((p) => p.trim())
    .filter(Boolean);
  const calls: ParsedToolCall[] = [];
  for (const piece of pieces) {
    const named = /^([\w.-]+)(?:\[CALL_ID\]([A-Za-z0-9]+))?\[ARGS\]([\s\S]*)$/.exec(piece);
    if (named) {
      const args = named[3]!.trim();
      try {
        JSON.parse(args);
      } catch {
        return undefined;
      }
      calls.push({ name: named[1]!, arguments: args, ...(named[2] && { id: named[2] }) });
      continue;
    }
    const values = jsonValues(piece);
    const found = values && callsFromValues(values);
    if (!found) return undefined;
    calls.push(...found);
  }
  return calls.length ? calls : undefined;
}
