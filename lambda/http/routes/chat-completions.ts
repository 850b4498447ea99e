import type { Context } from 'hono';
import { parseChatRequest } from '../../openai/chat-request.js';
import { ChunkEncoder, chatCompletion, newCompletionMeta } from '../../openai/chat-response.js';
import { completeUsage } from '../../openai/usage-estimate.js';
import { clientSignal } from '../client-signal.js';
import type { AppDependencies } from '../dependencies.js';
import type { AppEnv } from '../env.js';
import { meterAnswer, meterStream } from '../metering.js';
import { readJson } from '../read-json.js';
import { jsonResponse, streamedAnswer } from '../respond.js';
import { servedHeaders } from '../served-headers.js';

/** POST /v1/chat/completions */
export function chatCompletions({ models, maxBodyBytes, keepaliveMs, inFlight }: AppDependencies) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const request = parseChatRequest(await readJson(c.req.raw, maxBodyBytes));
    const model = models.chat(request.model, c.get('principal').models);
    // Only configured names reach logs and metric dimensions, never whatever a client sent.
    c.set('model', model.name);
    const meta = newCompletionMeta(request.model);
    const cancel = clientSignal(c.req.raw);
    // Until its answer has ended (a stream: its last byte), so a shutdown can wait for it or cut it.
    const done = inFlight?.track(cancel);
    let streaming = false;
    try {
      if (!request.stream) {
        const answer = await model.complete(request, cancel.signal);
        const headers = servedHeaders(answer, answer.estimated);
        await meterAnswer(c, { model: model.name, servedBy: answer.servedBy, usage: answer.usage, estimated: answer.estimated });
        return jsonResponse(c, chatCompletion(meta, answer, answer.usage), headers);
      }

      // Resolves once the first event is in, so an upstream failure still gets its own HTTP status.
      const stream = await model.stream(request, cancel.signal);
      const includeUsage = request.stream_options?.include_usage === true;
      const metered = meterStream(c, stream.events, {
        model: model.name,
        servedBy: stream.servedBy,
        estimate: (chars) => completeUsage(request, undefined, chars),
      });
      // Known before the first byte: this model does not report (all of) its usage.
      const estimatedUsage = includeUsage && !model.reportsUsage;
      const response = streamedAnswer(c, metered, new ChunkEncoder(meta, includeUsage), stream, estimatedUsage, { cancel, keepaliveMs, done });
      streaming = true;
      return response;
    } finally {
      if (!streaming) done?.();
    }
  };
}
