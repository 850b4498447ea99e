import type { Answer, AnswerModel, AnswerStream } from '../models/answer-model.js';
import type { ChatRequest } from '../openai/chat-request.js';
import type { AnswerUsage, DeltaEvent, FinishReason } from '../openai/chat-types.js';
import { cutAtStopSequences, stoppedAt } from './stop-sequences.js';

/** A whole answer's choice, saying which of the client's stop sequences ended it (if one did). */
export interface StoppedChoice {
  stop_sequence?: string;
}

interface CallParts {
  id: string;
  name: string;
  arguments: string;
}

/**
 * A chat model as the Messages API asks it: always read as a stream, cut at the client's stop
 * sequences (so a stop sequence ends the generation, and the answer can say which one ended it:
 * `stop-sequences.ts`). A whole answer is the stream gathered into one chat choice. With stop
 * sequences, the usage may be the gateway's estimate (the cut comes before the container's count).
 */
export function messagesModel(model: AnswerModel<ChatRequest>, stops: readonly string[], promptChars: number): AnswerModel<ChatRequest> {
  async function stream(request: ChatRequest, signal: AbortSignal): Promise<AnswerStream> {
    const upstream = await model.stream(request, signal);
    if (stops.length === 0) return upstream;
    return { ...upstream, events: cutAtStopSequences(upstream.events, stops, promptChars) };
  }
  return {
    name: model.name,
    reportsUsage: model.reportsUsage && stops.length === 0,
    stream,
    async complete(request, signal): Promise<Answer> {
      const { events, usageSoFar, ...served } = await stream(request, signal);
      return { ...served, ...(await gathered(events, usageSoFar)) };
    },
  };
}

/** The first choice's deltas gathered into one chat choice, with the answer's usage. */
async function gathered(events: AsyncIterable<DeltaEvent | ({ type: 'usage' } & AnswerUsage)>, usageSoFar: () => AnswerUsage) {
  let content = '';
  let reasoning = '';
  let finish: FinishReason | null | undefined;
  let stopSequence: string | undefined;
  let usage: AnswerUsage | undefined;
  const calls = new Map<number, CallParts>();
  for await (const event of events) {
    if (event.type === 'usage') {
      usage = { usage: event.usage, estimated: event.estimated };
      continue;
    }
    if (event.index !== 0) continue;
    const delta = event.delta;
    if (typeof delta.content === 'string') content += delta.content;
    if (typeof delta.reasoning_content === 'string') reasoning += delta.reasoning_content;
    if (Array.isArray(delta.tool_calls)) {
      for (const raw of delta.tool_calls) {
        const call = raw as { index?: number; id?: string; function?: { name?: string; arguments?: string } };
        const index = call.index ?? 0;
        const parts = calls.get(index) ?? { id: '', name: '', arguments: '' };
        if (call.id) parts.id = call.id;
        if (call.function?.name) parts.name = call.function.name;
        if (call.function?.arguments) parts.arguments += call.function.arguments;
        calls.set(index, parts);
      }
    }
    if (event.finishReason) finish = event.finishReason;
    stopSequence = stoppedAt(event) ?? stopSequence;
  }
  const message: Answer['choices'][number]['message'] = { role: 'assistant', content: content || null };
  if (reasoning) message.reasoning_content = reasoning;
  if (calls.size) {
    message.tool_calls = [...calls.values()].map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  }
  const choice: Answer['choices'][number] & StoppedChoice = { index: 0, message, finish_reason: finish ?? 'stop' };
  if (stopSequence !== undefined) choice.stop_sequence = stopSequence;
  return { choices: [choice], ...(usage ?? usageSoFar()) };
}
