import type { Context } from 'hono';
import { inputItems, parseResponsesRequest, toChatRequest } from '../../openai/responses-request.js';
import { newResponseMeta, outputItems, ResponseEventWriter, responseObject, statusOf } from '../../openai/responses-response.js';
import { respond } from '../answer-response.js';
import type { AppDependencies } from '../dependencies.js';
import type { AppEnv } from '../env.js';
import { readJson } from '../read-json.js';
import { history, saver } from './stored-responses.js';

/**
 * POST /v1/responses: OpenAI's Responses API over the chat models (docs/wire-facts.md §8). With a
 * DynamoDB table, `store` keeps responses (written before the answer completes) and
 * `previous_response_id` continues from one, for the key that made it.
 */
export function createResponse(deps: AppDependencies) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const request = parseResponsesRequest(await readJson(c.req.raw, deps.maxBodyBytes));
    const { keyId, models } = c.get('principal');
    const model = deps.models.chat(request.model, models);
    const input = [...(await history(request.previous_response_id, deps.responses, keyId)), ...inputItems(request)];
    const { chat, names } = toChatRequest(request, input);
    const store = request.store !== false ? deps.responses : undefined;
    const meta = newResponseMeta(request, Boolean(store));
    const save = saver(store, { keyId, input, requestId: c.get('requestId') });
    return respond(c, deps, {
      api: 'responses',
      model,
      request: chat,
      stream: request.stream === true,
      streamShowsUsage: true,
      body: ({ choices: [choice], usage }) =>
        save(responseObject(meta, statusOf(choice!.finish_reason), outputItems(choice!, names), { usage, finish: choice!.finish_reason })),
      encoder: () => {
        const writer = new ResponseEventWriter(meta, names);
        return {
          start: () => writer.start(),
          encode: (event) => writer.take(event),
          end: async () => {
            const { events, response } = writer.finalResponse();
            return events + writer.terminal(await save(response));
          },
          fail: (error) => writer.fail(error),
        };
      },
    });
  };
}
