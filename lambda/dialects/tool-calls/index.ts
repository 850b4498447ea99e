import { hermesParser } from './hermes.js';
import { llama3JsonParser } from './llama3-json.js';
import { mistralParser } from './mistral.js';
import { forcedCallParser, type ToolCallFamily, type ToolCallTextParser } from './tool-call-text.js';

/** A parser for one answer of the family; `forced`: a grammar made the whole answer the call's JSON. */
export function toolCallParser(family: ToolCallFamily, forced = false): ToolCallTextParser {
  if (forced) return forcedCallParser();
  if (family === 'hermes') return hermesParser();
  if (family === 'llama3_json') return llama3JsonParser();
  return mistralParser();
}

/**
 * The family of a template from its source: what it writes for a call. A template that names no
 * `tools` variable renders none, so tools cannot be offered through it.
 */
export function toolFamilyOf(source: string): ToolCallFamily | undefined {
  if (!/\btools\b/.test(source)) return undefined;
  if (source.includes('<tool_call>')) return 'hermes';
  if (source.includes('[TOOL_CALLS]') || source.includes('[AVAILABLE_TOOLS]')) return 'mistral';
  if (source.includes('<|python_tag|>') || source.includes('ipython')) return 'llama3_json';
  return undefined;
}

export type { ParsedToolCall, TextAndCalls, ToolCallFamily, ToolCallTextParser } from './tool-call-text.js';
