import { createHash } from 'node:crypto';
import type { Container, Invocation } from './sagemaker-runtime.js';

/**
 * Embedding containers as they answer on SageMaker (docs/wire-facts.md §2). Vectors are made from a hash of
 * the text: the same text always gets the same unit vector, different texts different ones.
 */
export const DIMENSIONS = 8;

export function embeddingOf(text: string, dimensions = DIMENSIONS): number[] {
  const digest = createHash('sha256').update(text).digest();
  const raw = Array.from({ length: dimensions }, (_, i) => digest[i % digest.length]! - 127.5);
  const norm = Math.hypot(...raw);
  return raw.map((x) => x / norm);
}

function parse(invocation: Invocation): Record<string, unknown> | undefined {
  try {
    return JSON.parse(invocation.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Text Embeddings Inference: `{"inputs"}` → `[[...]]`; validation errors as 422 `{"error","error_type"}`; 32 inputs per batch. */
export function teiContainer({ maxBatch = 32, tokenLevel = false } = {}): Container {
  return (invocation) => {
    const body = parse(invocation);
    const inputs = typeof body?.inputs === 'string' ? [body.inputs] : body?.inputs;
    if (!Array.isArray(inputs) || !inputs.every((i) => typeof i === 'string')) {
      return { status: 422, body: { error: 'Input validation error: `inputs` must be a string or an array of strings', error_type: 'Validation' } };
    }
    if (inputs.length > maxBatch) {
      return { status: 422, body: { error: `batch size ${inputs.length} > maximum allowed batch size ${maxBatch}`, error_type: 'Validation' } };
    }
    // Feature-extraction containers answer one vector per token: here two "tokens" per input.
    return { body: inputs.map((text) => (tokenLevel ? [embeddingOf(text), embeddingOf(`${text} `)] : embeddingOf(text))) };
  };
}

/** JumpStart text embedding models: `{"text_inputs"}` → `{"embedding": [[...]]}`. */
export function jumpstartEmbeddingContainer(): Container {
  return (invocation) => {
    const body = parse(invocation);
    const inputs = typeof body?.text_inputs === 'string' ? [body.text_inputs] : body?.text_inputs;
    if (!Array.isArray(inputs)) return { status: 400, body: { error: "Expecting 'text_inputs' in the request" } };
    return { body: { embedding: inputs.map((text) => embeddingOf(String(text))) } };
  };
}

/** OpenAI's embeddings API, as vLLM serves it (on SageMaker's `/invocations`, or as an upstream). */
export function openAIEmbeddingContainer(): Container {
  return (invocation) => {
    const body = parse(invocation);
    const input = body?.input;
    const inputs = typeof input === 'string' ? [input] : Array.isArray(input) && typeof input[0] === 'number' ? [input] : input;
    if (!Array.isArray(inputs)) return { status: 400, body: { error: { message: "Field required: 'input'", type: 'BadRequestError', code: 400 } } };
    const dimensions = typeof body?.dimensions === 'number' ? body.dimensions : DIMENSIONS;
    const data = inputs.map((item, index) => ({
      object: 'embedding',
      index,
      embedding: embeddingOf(typeof item === 'string' ? item : JSON.stringify(item), dimensions),
    }));
    const tokens = inputs.reduce((n: number, item) => n + (typeof item === 'string' ? item.split(/\s+/).length : (item as unknown[]).length), 0);
    // Out of order, as a batch that finished unevenly may come back: the index is what counts.
    return { body: { object: 'list', data: data.reverse(), model: body?.model ?? 'served', usage: { prompt_tokens: tokens, total_tokens: tokens } } };
  };
}
