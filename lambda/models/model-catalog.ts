import type { GatewayConfig } from '../core/config.js';
import { GatewayError, invalidRequest, modelNotFound, quoted } from '../core/gateway-error.js';
import { isEmbeddingDialect } from '../core/names.js';
import { chatDialects, embeddingDialects } from '../dialects/index.js';
import type { ImageFetcher } from '../images/image-fetcher.js';
import { transportsFor } from '../transports/index.js';
import { type ChatModel, createChatModel } from './chat-model.js';
import { type CompletionModel, createCompletionModel } from './completion-model.js';
import { createEmbeddingModel, type EmbeddingModel } from './embedding-model.js';

/** The models a caller may use: all of them (undefined), or the names its key lists. */
export type AllowedModels = ReadonlySet<string> | undefined;

/** Every configured model by the name clients send, built once per container. */
export class ModelCatalog {
  constructor(
    private readonly chatModels: ReadonlyMap<string, ChatModel>,
    private readonly embeddingModels: ReadonlyMap<string, EmbeddingModel>,
    /** Names in config order, for `/v1/models`. */
    private readonly names: readonly string[],
    /** Chat models that also take raw prompts (legacy completions). */
    private readonly completionModels: ReadonlyMap<string, CompletionModel> = new Map(),
  ) {}

  /** The chat model, or a 404 (unknown), 403 (not for this key) or 400 (an embedding model). */
  chat(name: string, allowed: AllowedModels): ChatModel {
    this.check(name, allowed);
    const model = this.chatModels.get(name);
    if (!model) throw invalidRequest(`Model '${name}' is an embedding model: use /v1/embeddings.`, 'model', 'model_not_chat');
    return model;
  }

  /** The model for legacy completions, or a 404, 403 or 400 (an embedding model, or a container that takes no raw prompt). */
  completion(name: string, allowed: AllowedModels): CompletionModel {
    this.chat(name, allowed);
    const model = this.completionModels.get(name);
    if (!model) throw invalidRequest(`Model '${name}' takes no raw prompts: use /v1/chat/completions.`, 'model', 'model_not_completion');
    return model;
  }

  /** The embedding model, or a 404, 403 or 400 (a chat-only model). */
  embedding(name: string, allowed: AllowedModels): EmbeddingModel {
    this.check(name, allowed);
    const model = this.embeddingModels.get(name);
    if (!model) throw invalidRequest(`Model '${name}' does not make embeddings: it is a chat model.`, 'model', 'model_not_embedding');
    return model;
  }

  /** The name of a model the caller may use, or a 404 / 403. */
  check(name: string, allowed: AllowedModels): string {
    if (!this.chatModels.has(name) && !this.embeddingModels.has(name)) throw modelNotFound(name);
    if (allowed && !allowed.has(name)) {
      throw new GatewayError(403, `Your API key may not use model '${quoted(name)}'.`, { param: 'model', code: 'model_not_allowed' });
    }
    return name;
  }

  /** The names the caller may use, in config order. */
  visible(allowed: AllowedModels): string[] {
    return allowed ? this.names.filter((name) => allowed.has(name)) : [...this.names];
  }
}

/** The catalog of a config: each model's dialect bound to its transport. */
export function buildCatalog(config: GatewayConfig, images: ImageFetcher): ModelCatalog {
  const chat = new Map<string, ChatModel>();
  const embedding = new Map<string, EmbeddingModel>();
  const completion = new Map<string, CompletionModel>();
  const addCompletion = (model: GatewayConfig['models'][number], transport: import('../transports/index.js').Transport) => {
    const completions = createCompletionModel(model, { dialect: chatDialects[model.dialect as 'openai-chat'](model), transport });
    if (completions) completion.set(model.name, completions);
  };
  for (const model of config.models) {
    const transports = transportsFor(model);
    if (model.provider === 'openai') {
      // An OpenAI-compatible server answers both, each on its own path.
      chat.set(model.name, createChatModel(model, { dialect: chatDialects['openai-chat'](model), transport: transports.chat, images }));
      addCompletion(model, transports.completions);
      embedding.set(
        model.name,
        createEmbeddingModel(model, { dialect: embeddingDialects['openai-embeddings'](model), transport: transports.embeddings }),
      );
    } else if (isEmbeddingDialect(model.dialect)) {
      embedding.set(model.name, createEmbeddingModel(model, { dialect: embeddingDialects[model.dialect](model), transport: transports.embeddings }));
    } else {
      chat.set(model.name, createChatModel(model, { dialect: chatDialects[model.dialect](model), transport: transports.chat, images }));
      addCompletion(model, transports.completions);
    }
  }
  return new ModelCatalog(
    chat,
    embedding,
    config.models.map((m) => m.name),
    completion,
  );
}
