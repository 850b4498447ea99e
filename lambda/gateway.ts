import { createAuthenticator, type Authenticator, type Principal } from './auth/authenticator.js';
import type { GatewayConfig, ModelConfig } from './config/types.js';
import { dialects } from './dialects/index.js';
import type { ChatDialect } from './dialects/dialect.js';
import { GatewayError, modelNotFound } from './http/errors.js';
import { ImageFetcher, type Resolve } from './images/image-fetcher.js';
import { OpenAIHttpTransport } from './providers/openai-http/transport.js';
import { SageMakerTransport } from './providers/sagemaker/transport.js';
import type { Transport } from './providers/transport.js';

/** A model as the handler uses it: its config, its dialect and its transport, combined once at start. */
export interface ModelRoute {
  model: ModelConfig;
  dialect: ChatDialect;
  transport: Transport;
}

export interface Gateway {
  config: GatewayConfig;
  auth: Authenticator;
  routes: ReadonlyMap<string, ModelRoute>;
  /** Fetches image URLs under the SSRF policy. */
  images: ImageFetcher;
  /** The route for a model the principal may use, or a 404 / 403. */
  route(name: string, principal: Principal): ModelRoute;
  /** The models the principal may use. */
  visibleModels(principal: Principal): ModelConfig[];
}

export interface GatewayOverrides {
  auth?: Authenticator;
  /** DNS for image URLs (tests point names at chosen addresses). */
  resolveImageHost?: Resolve;
}

export function createGateway(config: GatewayConfig, overrides: GatewayOverrides = {}): Gateway {
  const routes = new Map<string, ModelRoute>();
  for (const model of config.models) {
    routes.set(model.name, { model, dialect: dialects[model.dialect], transport: transportFor(model) });
  }
  return {
    config,
    auth: overrides.auth ?? createAuthenticator(config.auth),
    routes,
    images: new ImageFetcher(config.imageFetch, overrides.resolveImageHost),
    route(name, principal) {
      const route = routes.get(name);
      if (!route) throw modelNotFound(name);
      if (principal.models && !principal.models.has(name)) {
        throw new GatewayError(403, `Your API key may not use model '${name}'.`, { param: 'model', code: 'model_not_allowed' });
      }
      return route;
    },
    visibleModels(principal) {
      return config.models.filter((m) => !principal.models || principal.models.has(m.name));
    },
  };
}

/** How the bytes travel, chosen by provider; the dialect is chosen separately. */
function transportFor(model: ModelConfig): Transport {
  return model.provider === 'openai' ? new OpenAIHttpTransport(model) : new SageMakerTransport(model);
}
