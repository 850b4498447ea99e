import type { Context } from 'hono';
import type { ChatRequest } from '../../openai/chat-request.js';
import { parseCompletionRequest, singlePrompt } from '../../openai/completions-request.js';
import { newTextCompletionMeta, TextChunkEncoder, textCompletion } from '../../openai/completions-response.js';
import { completeUsage } from '../../openai/usage-estimate.js';
import { clientSignal } from '../client-signal.js';
import type { AppDependencies } from '../dependencies.js';
import type { AppEnv } from '../env.js';
import { meterAnswer, meterStream } from '../metering.js';
import { readJson } from '../read-json.js';
import { jsonResponse, streamedAnswer } from '../respond.js';
import { servedHeaders } from '../served-headers.js';

/**
 * POST /v1/completions: legacy text completions (code-completion plugins), streaming or not, routed,
 * metered, pinged and tracked for a graceful shutdown as chat completions are.
 */
export function completions({ models, maxBodyBytes, keepaliveMs, inFlight }: AppDependencies) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const request = parseCompletionRequest(await readJson(c.req.raw, maxBodyBytes));
    const model = models.completion(request.model, c.get('principal').models);
    c.set('model', model.name);
    const meta = newTextCompletionMeta(request.model);
    // `echo` puts the prompt before the text; the gateway does it, so every container supports it.
    const echo = request.echo ? (singlePrompt(request) ?? '') : undefined;
    const { echo: _echo, ...sent } = request;
    const cancel = clientSignal(c.req.raw);
    const done = inFlight?.track(cancel);
    let streaming = false;
    try {
      if (!request.stream) {
        const answer = await model.complete(sent, cancel.signal);
        const headers = servedHeaders(answer, answer.estimated);
        await meterAnswer(c, { model: model.name, servedBy: answer.servedBy, usage: answer.usage, estimated: answer.estimated });
        return jsonResponse(c, textCompletion(meta, answer.choices, answer.usage, echo), headers);
      }
      const stream = await model.stream(sent, cancel.signal);
      // A stream cut short is metered with an estimate: the prompt as one message, and the text so far.
      const asChat = {
        model: model.name,
        messages: [{ role: 'user', content: singlePrompt(request) ?? JSON.stringify(request.prompt) }],
      } as ChatRequest;
      const events = meterStream(c, stream.events, {
        model: model.name,
        servedBy: stream.servedBy,
        estimate: (chars) => completeUsage(asChat, undefined, chars),
      });
      const includeUsage = request.stream_options?.include_usage === true;
      const estimatedUsage = includeUsage && !model.reportsUsage;
      const response = streamedAnswer(c, events, new TextChunkEncoder(meta, includeUsage, echo), stream, estimatedUsage, {
        cancel,
        keepaliveMs,
        done,
      });
      streaming = true;
      return response;
    } finally {
      if (!streaming) done?.();
    }
  };
}
