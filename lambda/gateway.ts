import { createAuthenticator, type Authenticator, type Principal } from './auth/authenticator.js';
import type { GatewayConfig, ModelConfig } from './config/types.js';
import { dialects, embeddingDialects, isEmbeddingDialect } from './dialects/index.js';
import type { ChatDialect } from './dialects/dialect.js';
import type { EmbeddingDialect } from './dialects/embedding-dialect.js';
import { GatewayError, invalidRequest, modelNotFound } from './http/errors.js';
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

/** The same for an embedding model. */
export interface EmbeddingRoute {
  model: ModelConfig;
  dialect: EmbeddingDialect;
  transport: Transport;
}

export interface Gateway {
  config: GatewayConfig;
  auth: Authenticator;
  routes: ReadonlyMap<string, ModelRoute>;
  embeddingRoutes: ReadonlyMap<string, EmbeddingRoute>;
  /** Fetches image URLs under the SSRF policy. */
  images: ImageFetcher;
  /** A model the principal may use, or a 404 / 403. */
  model(name: string, principal: Principal): ModelConfig;
  /** The chat route for a model the principal may use, or a 404 / 403 (or a 400 for an embedding model). */
  route(name: string, principal: Principal): ModelRoute;
  /** The embedding route for a model the principal may use, or a 404 / 403 (or a 400 for a chat-only model). */
  embeddingRoute(name: string, principal: Principal): EmbeddingRoute;
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
  const embeddingRoutes = new Map<string, EmbeddingRoute>();
  for (const model of config.models) {
    if (model.provider === 'openai') {
      // An OpenAI-compatible server answers both, each on its own path.
      const http = OpenAIHttpTransport.forModel(model);
      routes.set(model.name, { model, dialect: dialects['openai-chat'], transport: http.chat });
      embeddingRoutes.set(model.name, { model, dialect: embeddingDialects['openai-embeddings'], transport: http.embeddings });
    } else if (isEmbeddingDialect(model.dialect)) {
      embeddingRoutes.set(model.name, { model, dialect: embeddingDialects[model.dialect], transport: new SageMakerTransport(model) });
    } else {
      routes.set(model.name, { model, dialect: dialects[model.dialect], transport: new SageMakerTransport(model) });
    }
  }
  const byName = new Map(config.models.map((m) => [m.name, m]));
  const model = (name: string, principal: Principal) => {
    const found = byName.get(name);
    if (!found) throw modelNotFound(name);
    if (principal.models && !principal.models.has(name)) {
      throw new GatewayError(403, `Your API key may not use model '${name}'.`, { param: 'model', code: 'model_not_allowed' });
    }
    return found;
  };
  return {
    config,
    auth: overrides.auth ?? createAuthenticator(config.auth),
    routes,
    embeddingRoutes,
    images: new ImageFetcher(config.imageFetch, overrides.resolveImageHost),
    model,
    route(name, principal) {
      model(name, principal);
      const route = routes.get(name);
      if (!route) throw invalidRequest(`Model '${name}' is an embedding model: use /v1/embeddings.`, 'model', 'model_not_chat');
      return route;
    },
    embeddingRoute(name, principal) {
      model(name, principal);
      const route = embeddingRoutes.get(name);
      if (!route) throw invalidRequest(`Model '${name}' does not make embeddings: it is a chat model.`, 'model', 'model_not_embedding');
      return route;
    },
    visibleModels(principal) {
      return config.models.filter((m) => !principal.models || principal.models.has(m.name));
    },
  };
}
