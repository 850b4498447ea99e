import type { ModelConfig } from '../../config/types.js';
import { GatewayError } from '../../http/errors.js';

/** SageMaker's InvokeEndpoint body limit (wire-facts §1). */
export const SAGEMAKER_MAX_BODY = 6_291_456;

/** The 413 for a payload SageMaker would refuse, saying what the client can do about it. */
export function overSageMakerLimit(model: ModelConfig, size: number, advice: string): GatewayError {
  return new GatewayError(413, `The request for model '${model.name}' would be ${size} bytes, over SageMaker's limit of ${SAGEMAKER_MAX_BODY} bytes (${advice}).`, { code: 'request_too_large' });
}
