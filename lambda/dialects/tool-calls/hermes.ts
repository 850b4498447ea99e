import {
  callsFromValues,
  jsonValues,
  NONE,
  type ParsedToolCall,
  partialMarker,
  type TextAndCalls,
  type ToolCallTextParser,
} from './tool-call-text.js';

const OPEN = '<tool_call>';
const CLOSE = '</tool_call>';

/**
 * Hermes-style calls (Qwen2.5, Qwen3, QwQ, Hermes; what SGLang returns as text without a tool
 * parser): `<tool_call>\n{"name": ..., "arguments": {...}}\n</tool_call>`, any number of them, text
 * around them allowed. Qwen3-Coder writes the body as `<function=NAME><parameter=P>value</parameter></function>`.
 * A block that does not parse is given back as the text it was (docs/wire-facts.md §8).
 */
export function hermesParser(): ToolCallTextParser {
  let held = '';
  let inCall = false;
  return {
    push(text) {
      held += text;
      const out: TextAndCalls = { text: '', calls: [] };
      for (;;) {
        if (!inCall) {
          const at = held.indexOf(OPEN);
          if (at < 0) {
            const keep = partialMarker(held, OPEN);
            out.text += held.slice(0, held.length - keep);
            held = held.slice(held.length - keep);
            return out.text || out.calls.length ? out : NONE;
          }
          out.text += held.slice(0, at);
          held = held.slice(at + OPEN.length);
          inCall = true;
        }
        const end = held.indexOf(CLOSE);
        if (end < 0) return out.text || out.calls.length ? out : NONE;
        const body = held.slice(0, end);
        held = held.slice(end + CLOSE.length);
        inCall = false;
        const calls = parseBody(body);
        if (calls) out.calls.push(...calls);
        else out.text += OPEN + body + CLOSE;
      }
    },
    end() {
      const rest = held;
      held = '';
      if (!inCall) return { text: rest, calls: [] };
      inCall = false;
      // A model that stops right after its call's JSON (the closing tag was its stop word).
      const calls = parseBody(rest);
      return calls ? { text: '', calls } : { text: OPEN + rest, calls: [] };
    },
  };
}

function parseBody(body: string): ParsedToolCall[] | undefined {
  const values = jsonValues(body.trim());
  return (values && callsFromValues(values)) ?? xmlCall(body);
}

/** Qwen3-Coder's `<function=NAME>\n<parameter=ARG>\nVALUE\n</parameter>\n</function>`. */
function xmlCall(body: string): ParsedToolCall[] | undefined {
  const fn = /^\s*<function=([^>\s]+)>([\s\S]*?)<\/function>\s*$/.exec(body);
  if (!fn) return undefined;
  const args: Record<string, unknown> = {};
  for (const p of fn[2]!.matchAll(/<parameter=([^>\s]+)>\n?([\s\S]*?)\n?<\/parameter>/g)) {
    const raw = p[2]!;
    try {
      args[p[1]!] = JSON.parse(raw);
    } catch {
      args[p[1]!] = raw;
    }
  }
  return [{ name: fn[1]!, arguments: JSON.stringify(args) }];
}
