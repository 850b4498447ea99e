import { callsFromValues, jsonValues, NONE, type ToolCallTextParser } from './tool-call-text.js';

const PYTHON_TAG = '<|python_tag|>';

/**
 * Llama 3.1+ calls: the whole answer is `{"name": ..., "parameters": {...}}` (several joined by `;`),
 * optionally after `<|python_tag|>` (a special token that TGI drops from the text). An answer that
 * starts otherwise streams as text at once; one that starts like a call is held to the end and given
 * back as text when it does not parse (docs/wire-facts.md §8).
 */
export function llama3JsonParser(): ToolCallTextParser {
  let held = '';
  let mode: 'start' | 'text' | 'call' = 'start';
  return {
    push(text) {
      if (mode === 'text') return { text, calls: [] };
      held += text;
      if (mode === 'call') return NONE;
      const start = held.trimStart();
      if (start === '' || (start.length < PYTHON_TAG.length && PYTHON_TAG.startsWith(start))) return NONE;
      if (start.startsWith('{') || start.startsWith(PYTHON_TAG)) {
        mode = 'call';
        return NONE;
      }
      mode = 'text';
      const out = held;
      held = '';
      return { text: out, calls: [] };
    },
    end() {
      const rest = held;
      held = '';
      if (mode !== 'call') return { text: rest, calls: [] };
      const body = rest.trimStart().replace(PYTHON_TAG, '').trim();
      const values = jsonValues(body);
      const calls = values && callsFromValues(values);
      return calls ? { text: '', calls } : { text: rest, calls: [] };
    },
  };
}
