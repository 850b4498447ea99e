import type { ModelConfig } from '../config/config.js';
import type { Relay, RelayedAnswer, RelayedEvent, RelayRequest } from '../upstreams/index.js';
import type { AnswerModel, MeteredAnswer } from './answer-model.js';

/** A relayed answer as the pipeline meters it: the upstream's body, its usage, who answered. */
export interface RelayedWhole extends RelayedAnswer, MeteredAnswer {}

/** A model whose upstream speaks the client's API itself: requests and answers pass as they are. */
export type RelayModel = AnswerModel<RelayRequest, RelayedWhole, RelayedEvent>;

/** The relay model of one configured deployment (routed like any model: retries, cooldowns, fallbacks). */
export function createRelayModel(config: ModelConfig, relay: Relay): RelayModel {
  const servedBy = config.id;
  return {
    name: config.name,
    reportsUsage: true,
    async complete(request, signal) {
      return { ...(await relay.complete(request, signal)), servedBy };
    },
    async stream(request, signal) {
      return { ...(await relay.stream(request, signal)), servedBy };
    },
  };
}
