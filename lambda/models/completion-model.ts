import { type ModelConfig, namesOf } from '../config/config.js';
import { invalidRequest } from '../core/gateway-error.js';
import type { ChatDialect } from '../dialects/index.js';
import { FIM_FORMATS, fimFormatOf } from '../dialects/templates/fim-formats.js';
import type { ChatStreamEvent } from '../openai/chat-types.js';
import { type CompletionRequest, singlePrompt } from '../openai/completions-request.js';
import { invokeJson, payloadTooLarge, type Transport } from '../upstreams/index.js';
import { answerStream, decodedEvents, stopSequences, wholeAsEvents, wholeUsage } from './answer-events.js';
import type { AnswerModel } from './answer-model.js';
import { applyStops, StreamStops } from './stop-sequences.js';

/**
 * A model as legacy completions (`POST /v1/completions`) use it: a raw prompt, no chat template. A
 * `suffix` is rendered in the model's fill-in-the-middle format (`fim`, or told from its names) where
 * it has one, passed on to upstreams that take it themselves, and refused otherwise.
 */
export type CompletionModel = AnswerModel<CompletionRequest>;

interface Prepared {
  request: CompletionRequest;
  /** The text sent (the prompt, rendered for fill-in-the-middle when there is a suffix). */
  prompt: string | undefined;
  stops: string[];
}

export function createCompletionModel(
  config: ModelConfig,
  { dialect, transport }: { dialect: ChatDialect; transport: Transport },
): CompletionModel | undefined {
  const encodeCompletion = dialect.encodeCompletion?.bind(dialect);
  if (!encodeCompletion) return undefined;
  const name = config.name;
  const fim = config.fim ?? fimFormatOf(...namesOf(config));

  function prepare(original: CompletionRequest): Prepared {
    let request = original;
    let prompt = singlePrompt(request);
    const stops = stopSequences(request.stop, config.defaults.stop, dialect.endOfTurn);
    if (typeof request.suffix === 'string') {
      if (fim && prompt !== undefined) {
        prompt = FIM_FORMATS[fim].render(prompt, request.suffix);
        stops.push(...FIM_FORMATS[fim].stop);
        request = { ...request, suffix: undefined };
      } else if (!transport.takesSuffix) {
        throw invalidRequest(
          `Model '${name}' has no fill-in-the-middle format, so 'suffix' cannot be used (set fim: qwen | starcoder | codellama | deepseek | codestral on a code model trained for it).`,
          'suffix',
          'unsupported_parameter',
        );
      }
    }
    return { request, prompt, stops };
  }

  async function encode({ request, prompt }: Prepared, stream: boolean): Promise<string> {
    const payload = JSON.stringify(await encodeCompletion!(request, prompt, stream));
    const limit = transport.bodyLimit;
    if (limit && Buffer.byteLength(payload) > limit.bytes) throw payloadTooLarge(name, Buffer.byteLength(payload), limit, 'send a shorter prompt');
    return payload;
  }

  async function whole(prepared: Prepared, signal: AbortSignal) {
    const body = await invokeJson(transport, await encode(prepared, false), signal, name);
    const result = (dialect.decodeCompletion ?? dialect.decodeResponse).call(dialect, body);
    return prepared.stops.length ? applyStops(result, prepared.stops) : result;
  }

  function events(prepared: Prepared, signal: AbortSignal): AsyncIterable<ChatStreamEvent> {
    const decoder = dialect.createCompletionStreamDecoder?.() ?? dialect.createStreamDecoder?.();
    if (!decoder) return wholeAsEvents(() => whole(prepared, signal));
    const steps = prepared.stops.length ? [new StreamStops(prepared.stops, prepared.request.n ?? 1)] : [];
    return decodedEvents(transport, () => encode(prepared, true), decoder, signal, steps);
  }

  /** For usage estimates, the prompt's characters (a batch of prompts or token ids as its JSON). */
  const promptChars = ({ request, prompt }: Prepared) => (prompt ?? JSON.stringify(request.prompt)).length;

  return {
    name,
    reportsUsage: dialect.usage === 'full',
    async complete(original, signal) {
      const prepared = prepare(original);
      const result = await whole(prepared, signal);
      return { choices: result.choices, ...wholeUsage(result, promptChars(prepared)), servedBy: config.id };
    },
    async stream(original, signal) {
      const prepared = prepare(original);
      return answerStream(events(prepared, signal), promptChars(prepared), config.id);
    },
  };
}
