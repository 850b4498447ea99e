import type { EmbeddingRoute } from '../gateway.js';
import { checkedVectors } from '../dialects/embedding-dialect.js';
import { GatewayError, invalidRequest } from '../http/errors.js';
import { SAGEMAKER_MAX_BODY, overSageMakerLimit } from '../providers/sagemaker/payload-limit.js';
import { inputCount, textInputs, type EmbeddingsRequest } from '../openai/embeddings-request.js';

const utf8 = new TextDecoder();

/** One embeddings request through an embedding route: the vectors in input order, and the tokens if counted. */
export async function embed(route: EmbeddingRoute, request: EmbeddingsRequest, signal: AbortSignal): Promise<{ vectors: number[][]; promptTokens?: number }> {
  const { model, dialect, transport } = route;
  const texts = textInputs(request);
  if (!dialect.openAIInputs) {
    if (!texts) throw invalidRequest(`Model '${model.name}' takes text inputs, not token ids.`, 'input', 'unsupported_input');
    if (request.dimensions !== undefined) throw invalidRequest(`Model '${model.name}' does not support 'dimensions'.`, 'dimensions', 'unsupported_parameter');
  }
  const payload = JSON.stringify(dialect.encodeRequest(request, texts, model));
  const size = Buffer.byteLength(payload);
  if (model.provider === 'sagemaker' && size > SAGEMAKER_MAX_BODY) throw overSageMakerLimit(model, size, 'send fewer or shorter inputs per request');
  const bytes = await transport.invoke(payload, signal);
  let body: unknown;
  try {
    body = JSON.parse(utf8.decode(bytes));
  } catch {
    throw new GatewayError(502, `Model '${model.name}' returned a body that is not JSON.`, { code: 'upstream_error' });
  }
  const { vectors, promptTokens } = dialect.decodeResponse(body, model);
  return { vectors: checkedVectors(vectors, inputCount(request), model.name), promptTokens };
}
