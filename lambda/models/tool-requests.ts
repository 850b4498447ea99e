import type { ModelConfig } from '../config/config.js';
import { GatewayError, invalidRequest } from '../core/gateway-error.js';
import { log } from '../core/log.js';
import type { ChatRequest } from '../openai/chat-request.js';
import { TOOL_PARAM } from '../openai/chat-types.js';

/**
 * Tools the model cannot run: anything but `function` (the Responses API's hosted tools, such as
 * `web_search`, which only OpenAI runs) is a 400 naming its type, or, with `drop_params`, dropped and
 * logged. Codex always offers one, so its users set `drop_params` (README). A `tool_choice` that
 * forces such a tool is refused either way: dropping it would change what the client asked for.
 */
export function runnableTools(request: ChatRequest, model: ModelConfig): ChatRequest {
  const tools = request.tools;
  if (!tools?.length) return request;
  const kept = tools.filter((tool) => tool.type === 'function');
  const choice = request.tool_choice as unknown;
  if (typeof choice === 'object' && choice !== null && (choice as { type?: unknown }).type !== 'function') {
    const type = String((choice as { type?: unknown }).type);
    throw invalidRequest(`tool_choice forces a '${type}' tool, which model '${model.name}' cannot run.`, 'tool_choice', 'unsupported_tool');
  }
  if (kept.length === tools.length) return request;
  const refused = tools.find((tool) => tool.type !== 'function')!;
  if (!model.dropParams) {
    const param = (refused as Record<symbol, string>)[TOOL_PARAM] ?? `tools[${tools.indexOf(refused)}]`;
    throw invalidRequest(
      `Model '${model.name}' cannot use tools of type '${String(refused.type)}' (${param}): only 'function' tools run on a self-hosted model; hosted tools such as web_search run only on their provider's servers (OpenAI's, Anthropic's). Remove them, or set drop_params: true on the model to have them dropped.`,
      `${param}.type`,
      'unsupported_tool',
    );
  }
  if (log.debugEnabled)
    log.debug('dropped tools the model cannot run', { model: model.name, dropped: tools.filter((t) => t.type !== 'function').map((t) => t.type) });
  return { ...request, tools: kept.length ? kept : undefined, ...(kept.length === 0 && { tool_choice: undefined, parallel_tool_calls: undefined }) };
}

/**
 * A container's refusal, said so that its operator can act: vLLM (and LMI's vLLM) refuse
 * `tool_choice: "auto"`, which they assume when tools come without a choice, unless started with a
 * tool parser (docs/wire-facts.md §8).
 */
export function explainedRefusal(error: unknown, model: ModelConfig): unknown {
  if (!(error instanceof GatewayError) || !error.message.includes('--enable-auto-tool-choice')) return error;
  return new GatewayError(
    400,
    `Model '${model.name}' cannot choose tools itself: its container was started without a tool parser. Start vLLM with ` +
      '--enable-auto-tool-choice --tool-call-parser <parser> (hermes for Qwen, llama3_json for Llama 3.1+, mistral for Mistral), or set ' +
      "OPTION_ENABLE_AUTO_TOOL_CHOICE=true and OPTION_TOOL_CALL_PARSER=<parser> on an LMI container; or send tool_choice 'required' or a named tool.",
    { param: 'tool_choice', code: 'tool_choice_unsupported', cause: error },
  );
}
