import {
  type SageMakerRuntimeClient,
  InvokeEndpointCommand,
  InvokeEndpointWithResponseStreamCommand,
  type ResponseStream,
} from '@aws-sdk/client-sagemaker-runtime';
import type { SageMakerModel } from '../../config/types.js';
import type { Transport } from '../transport.js';
import { sageMakerClient } from './clients.js';
import { fromSageMakerError } from './errors.js';
import { untilAborted } from '../abort.js';
import { cutWhenAborted } from './abort-signals.js';

/** SageMaker real-time endpoints through the AWS SDK: InvokeEndpoint and InvokeEndpointWithResponseStream. */
export class SageMakerTransport implements Transport {
  private readonly target;
  private readonly client: SageMakerRuntimeClient;

  constructor(private readonly model: SageMakerModel) {
    this.client = sageMakerClient(model.region);
    this.target = {
      EndpointName: model.endpoint,
      ContentType: 'application/json',
      InferenceComponentName: model.inferenceComponent,
      TargetVariant: model.targetVariant,
      CustomAttributes: model.customAttributes,
    };
  }

  async invoke(body: string, signal: AbortSignal): Promise<Uint8Array> {
    try {
      // No per-call options, so the client's cached middleware chain is used (see clients.ts).
      // Cutting this HTTP call would not stop the container's work either: the caller just stops waiting.
      const call = this.client.send(new InvokeEndpointCommand({ ...this.target, Accept: 'application/json', Body: body }));
      const out = await untilAborted(call, signal);
      return out.Body ?? new Uint8Array();
    } catch (error) {
      throw fromSageMakerError(error, this.model.name, signal);
    }
  }

  async invokeStream(body: string, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    try {
      // The signal cuts the HTTP call: closing the stream is what makes the container stop generating.
      const input = cutWhenAborted({ ...this.target, Body: body }, signal);
      const out = await untilAborted(this.client.send(new InvokeEndpointWithResponseStreamCommand(input)), signal);
      return payloadParts(out.Body, this.model.name, signal);
    } catch (error) {
      throw fromSageMakerError(error, this.model.name, signal);
    }
  }
}

async function* payloadParts(
  events: AsyncIterable<ResponseStream> | undefined,
  model: string,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  if (!events) return;
  try {
    for await (const event of events) {
      if (event.PayloadPart?.Bytes) yield event.PayloadPart.Bytes;
      // The SDK normally throws modelled exception events; handle them as members too.
      else if (event.ModelStreamError) throw Object.assign(new Error(event.ModelStreamError.message), { ...event.ModelStreamError, name: 'ModelStreamError' });
      else if (event.InternalStreamFailure) throw Object.assign(new Error(event.InternalStreamFailure.message), { name: 'InternalStreamFailure' });
    }
  } catch (error) {
    throw fromSageMakerError(error, model, signal);
  }
}

