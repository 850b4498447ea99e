import { generateDialect } from './text-generation.js';

/**
 * AWS LMI (DJL Serving: vLLM, lmi-dist, TensorRT-LLM) rolling batch: `{"inputs","parameters","stream"}`
 * with `stop_sequences`; streams JSON lines (or TGI's SSE form when the container is set to it).
 */
export const lmiRollingBatch = generateDialect('lmi-rolling-batch', 'stop_sequences');
