import { generateDialect } from './text-generation.js';

/**
 * AWS LMI (DJL Serving: vLLM, lmi-dist, TensorRT-LLM) rolling batch: `{"inputs","parameters","stream"}`
 * with `stop_sequences`; streams JSON lines (or TGI's SSE form when the container is set to it).
 * No grammar on this route: `response_format` is refused rather than ignored.
 */
export const lmiRollingBatch = generateDialect('lmi-rolling-batch', {
  stopKey: 'stop_sequences',
  passed: ['seed', 'frequency_penalty', 'presence_penalty', 'top_k', 'repetition_penalty', 'typical_p', 'truncate'],
});
