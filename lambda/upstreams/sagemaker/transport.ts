import {
  InvokeEndpointCommand,
  InvokeEndpointWithResponseStreamCommand,
  type ResponseStream,
  type SageMakerRuntimeClient,
} from '@aws-sdk/client-sagemaker-runtime';
import type { SageMakerModel } from '../../config/config.js';
import { log } from '../../core/log.js';
import { untilAborted } from '../abort.js';
import type { BodyLimit, Transport } from '../transport.js';
import { cutWhenAborted } from './abort-signals.js';
import { sageMakerClient } from './clients.js';
import { fromSageMakerError } from './errors.js';

/** InvokeEndpoint's request body limit (docs/wire-facts.md §1). */
export const SAGEMAKER_BODY_LIMIT: BodyLimit = { bytes: 6_291_456, owner: "SageMaker's" };

/** SageMaker real-time endpoints through the AWS SDK: InvokeEndpoint and InvokeEndpointWithResponseStream. */
export class SageMakerTransport implements Transport {
  readonly bodyLimit = SAGEMAKER_BODY_LIMIT;
  private readonly target;
  private readonly client: SageMakerRuntimeClient;

  constructor(private readonly model: SageMakerModel) {
    this.client = sageMakerClient(model.region, model.assumeRole);
    this.target = {
      EndpointName: model.endpoint,
      ContentType: 'application/json',
      InferenceComponentName: model.inferenceComponent,
      TargetVariant: model.targetVariant,
      CustomAttributes: model.customAttributes,
    };
  }

  async invoke(body: string, signal: AbortSignal): Promise<Uint8Array> {
    const started = performance.now();
    try {
      // No per-call options, so the client's cached middleware chain is used (see clients.ts).
      // Cutting this HTTP call would not stop the container's work either: the caller just stops waiting.
      const call = this.client.send(new InvokeEndpointCommand({ ...this.target, Accept: 'application/json', Body: body }));
      const out = await untilAborted(call, signal);
      const answer = out.Body ?? new Uint8Array();
      if (log.debugEnabled) this.logCall('InvokeEndpoint', body, started, { answerBytes: answer.byteLength }, answer);
      return answer;
    } catch (error) {
      const failure = fromSageMakerError(error, this.model, signal);
      if (log.debugEnabled) this.logCall('InvokeEndpoint', body, started, { status: failure.status, code: failure.code });
      throw failure;
    }
  }

  async invokeStream(body: string, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    const started = performance.now();
    try {
      // The signal cuts the HTTP call: closing the stream is what makes the container stop generating.
      const input = cutWhenAborted({ ...this.target, Body: body }, signal);
      const out = await untilAborted(this.client.send(new InvokeEndpointWithResponseStreamCommand(input)), signal);
      if (log.debugEnabled) this.logCall('InvokeEndpointWithResponseStream', body, started, { status: 200 });
      return payloadParts(out.Body, this.model, signal);
    } catch (error) {
      const failure = fromSageMakerError(error, this.model, signal);
      if (log.debugEnabled) this.logCall('InvokeEndpointWithResponseStream', body, started, { status: failure.status, code: failure.code });
      throw failure;
    }
  }

  private logCall(operation: string, body: string, started: number, outcome: Record<string, unknown>, answer?: Uint8Array): void {
    log.debug('upstream call', {
      model: this.model.name,
      operation,
      endpoint: this.model.endpoint,
      ...(this.model.inferenceComponent && { inferenceComponent: this.model.inferenceComponent }),
      requestBytes: Buffer.byteLength(body),
      ms: Math.round(performance.now() - started),
      ...outcome,
      ...(log.payloads && { payload: body, ...(answer && { answer: new TextDecoder().decode(answer) }) }),
    });
  }
}

async function* payloadParts(
  events: AsyncIterable<ResponseStream> | undefined,
  model: SageMakerModel,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  if (!events) return;
  try {
    for await (const event of events) {
      if (event.PayloadPart?.Bytes) yield event.PayloadPart.Bytes;
      // The SDK normally throws modelled exception events; handle them as members too.
      else if (event.ModelStreamError)
        throw Object.assign(new Error(event.ModelStreamError.message), { ...event.ModelStreamError, name: 'ModelStreamError' });
      else if (event.InternalStreamFailure) throw Object.assign(new Error(event.InternalStreamFailure.message), { name: 'InternalStreamFailure' });
    }
  } catch (error) {
    throw fromSageMakerError(error, model, signal);
  }
}
