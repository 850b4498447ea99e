import { parseCountTokensRequest, parseMessagesRequest } from '../../../lambda/anthropic/messages-request.js';
import type { GatewayError } from '../../../lambda/core/gateway-error.js';

const valid = { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };

function refusal(body: unknown, parse: (body: unknown) => unknown = parseMessagesRequest): GatewayError {
  try {
    parse(body);
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error('expected a refusal');
}

describe('the Messages request', () => {
  it('takes what Claude Code sends: system blocks, metadata, adaptive thinking, clear_thinking, effort, cache_control', () => {
    const request = parseMessagesRequest({
      ...valid,
      system: [{ type: 'text', text: 'You are helpful.', cache_control: { type: 'ephemeral' } }],
      metadata: { user_id: 'u-1' },
      thinking: { type: 'adaptive', display: 'omitted' },
      context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
      output_config: { effort: 'high' },
      service_tier: 'auto',
      stream: true,
    });
    expect(request.thinking).toEqual({ type: 'adaptive', display: 'omitted' });
  });

  it('requires max_tokens, as Anthropic does, and says so naming it', () => {
    const { model, messages } = valid;
    const error = refusal({ model, messages });
    expect(error).toMatchObject({ status: 400, param: 'max_tokens', message: 'max_tokens: Field required' });
  });

  it('names the field of a wrong value', () => {
    expect(refusal({ ...valid, temperature: 1.5 })).toMatchObject({ status: 400, param: 'temperature' });
    expect(refusal({ ...valid, messages: [{ role: 'tool', content: 'x' }] })).toMatchObject({ param: 'messages[0].role' });
    expect(refusal({ ...valid, tool_choice: { type: 'required' } })).toMatchObject({ param: 'tool_choice.type' });
    expect(refusal({ ...valid, stop_sequences: [''] })).toMatchObject({ param: 'stop_sequences' });
  });

  it('refuses by name what only Anthropic runs: containers, MCP servers, clearing tool results', () => {
    expect(refusal({ ...valid, container: 'c-1' })).toMatchObject({ param: 'container', code: 'unsupported_parameter' });
    expect(refusal({ ...valid, mcp_servers: [{ type: 'url', url: 'https://mcp.example' }] }).message).toMatch(/^mcp_servers: not supported/);
    const edits = refusal({ ...valid, context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] } });
    expect(edits).toMatchObject({ param: 'context_management.edits[0].type' });
    expect(edits.message).toContain("only 'clear_thinking_*' edits");
  });

  it('count_tokens takes the same prompt without max_tokens', () => {
    const { max_tokens: _max, ...body } = valid;
    expect(parseCountTokensRequest(body).messages).toHaveLength(1);
    expect(refusal({ messages: [] }, parseCountTokensRequest)).toMatchObject({ param: 'model', message: 'model: Field required' });
  });

  it('refuses a body that is no object', () => {
    expect(refusal([valid])).toMatchObject({ status: 400, message: 'The request body must be a JSON object.' });
  });
});
