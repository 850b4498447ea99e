import type { GatewayConfig, ModelConfig, RouterConfig } from '../config/config.js';
import { type ChatDialectName, isEmbeddingDialect } from '../config/names.js';
import { GatewayError, invalidRequest, modelNotFound, quoted } from '../core/gateway-error.js';
import { chatDialects, embeddingDialects } from '../dialects/index.js';
import type { ImageFetcher } from '../images/image-fetcher.js';
import { upstreamOf } from '../upstreams/index.js';
import { type ChatModel, createChatModel } from './chat-model.js';
import { closestNames } from './closest-names.js';
import { type CompletionModel, createCompletionModel } from './completion-model.js';
import { createEmbeddingModel, type EmbeddingModel } from './embedding-model.js';
import { createRelayModel, type RelayModel } from './relay-model.js';
import { DeploymentHealth } from './router/deployment-health.js';
import { type DeploymentLimits, ModelGroup } from './router/model-group.js';
import { routedAnswerModel, routedEmbeddingModel } from './router/routed-models.js';

/** The models a caller may use: all of them (undefined), or the names its key lists. */
export type AllowedModels = ReadonlySet<string> | undefined;

/** A model as `/v1/models` lists it: a group (or an alias of one) and the deployments behind it. */
export interface ListedModel {
  id: string;
  deployments: { id: string; inference_component?: string }[];
}

/**
 * Every configured model by the name clients send, built once per container: each group of
 * deployments sharing a name is one routed model (a group of one included), and aliases lead to groups.
 */
export class ModelCatalog {
  private readonly chatModels = new Map<string, ChatModel>();
  private readonly embeddingModels = new Map<string, EmbeddingModel>();
  private readonly completionModels = new Map<string, CompletionModel>();
  private readonly messagesRelays = new Map<string, RelayModel>();

  constructor(
    private readonly config: GatewayConfig,
    private readonly chatGroups: ReadonlyMap<string, ModelGroup<ChatModel>>,
    private readonly embeddingGroups: ReadonlyMap<string, ModelGroup<EmbeddingModel>>,
    /** Legacy completions: per name, the group's deployments that take raw prompts (routed like chat). */
    completionGroups: ReadonlyMap<string, ModelGroup<CompletionModel>> = new Map(),
    /** Anthropic's Messages API: per name, the group's deployments on Anthropic's own API. */
    messagesGroups: ReadonlyMap<string, ModelGroup<RelayModel>> = new Map(),
  ) {
    const router = config.router;
    for (const name of chatGroups.keys()) this.chatModels.set(name, routedAnswerModel(name, chatGroups, router));
    for (const name of embeddingGroups.keys()) this.embeddingModels.set(name, routedEmbeddingModel(name, embeddingGroups, router));
    for (const name of completionGroups.keys()) this.completionModels.set(name, routedAnswerModel(name, completionGroups, router));
    // Relayed only where every deployment it could reach speaks the API (its own, and its fallbacks'): else translated.
    const relayable = (name: string) => messagesGroups.get(name)?.members.length === chatGroups.get(name)?.members.length;
    for (const name of messagesGroups.keys()) {
      const fallbacks = [...(router.fallbacks[name] ?? router.defaultFallbacks), ...(router.contextWindowFallbacks[name] ?? [])];
      if (relayable(name) && fallbacks.every(relayable)) this.messagesRelays.set(name, routedAnswerModel(name, messagesGroups, router));
    }
  }

  /**
   * The Messages API relay of a chat model whose deployments are all on Anthropic's own API, or
   * undefined (the request is then translated onto the chat model). Checks the name as `chat` does.
   */
  messagesRelay(name: string, allowed: AllowedModels): RelayModel | undefined {
    this.chat(name, allowed);
    return this.messagesRelays.get(this.check(name, allowed));
  }

  /** The chat model, or a 404 (unknown), 403 (not for this key) or 400 (an embedding model). */
  chat(name: string, allowed: AllowedModels): ChatModel {
    const group = this.check(name, allowed);
    const model = this.chatModels.get(group);
    if (!model) throw invalidRequest(`Model '${name}' is an embedding model: use /v1/embeddings.`, 'model', 'model_not_chat');
    return model;
  }

  /** The model for legacy completions, or a 404, 403 or 400 (an embedding model, or a container that takes no raw prompt). */
  completion(name: string, allowed: AllowedModels): CompletionModel {
    this.chat(name, allowed);
    const model = this.completionModels.get(this.check(name, allowed));
    if (!model) throw invalidRequest(`Model '${name}' takes no raw prompts: use /v1/chat/completions.`, 'model', 'model_not_completion');
    return model;
  }

  /** The embedding model, or a 404, 403 or 400 (a chat-only model). */
  embedding(name: string, allowed: AllowedModels): EmbeddingModel {
    const group = this.check(name, allowed);
    const model = this.embeddingModels.get(group);
    if (!model) throw invalidRequest(`Model '${name}' does not make embeddings: it is a chat model.`, 'model', 'model_not_embedding');
    return model;
  }

  /** The group a name (or an alias) leads to, if the caller may use it; else a 404 / 403. */
  check(name: string, allowed: AllowedModels): string {
    const group = this.config.router.aliases[name]?.group ?? name;
    if (!this.chatGroups.has(group) && !this.embeddingGroups.has(group)) {
      // Hints name only what this caller may use.
      throw modelNotFound(
        name,
        closestNames(
          name,
          this.visible(allowed).map((m) => m.id),
        ),
      );
    }
    if (allowed && !allowed.has(name) && !allowed.has(group)) {
      throw new GatewayError(403, `Your API key may not use model '${quoted(name)}'.`, { param: 'model', code: 'model_not_allowed' });
    }
    return group;
  }

  /** The models the caller may use, each group once, in config order, then visible aliases. */
  visible(allowed: AllowedModels): ListedModel[] {
    const listed: ListedModel[] = [];
    const seen = new Set<string>();
    for (const model of this.config.models) {
      if (seen.has(model.name) || (allowed && !allowed.has(model.name))) continue;
      seen.add(model.name);
      listed.push({ id: model.name, deployments: this.deploymentsOf(model.name) });
    }
    for (const [alias, { group, hidden }] of Object.entries(this.config.router.aliases)) {
      if (!hidden && (!allowed || allowed.has(alias) || allowed.has(group))) listed.push({ id: alias, deployments: this.deploymentsOf(group) });
    }
    return listed;
  }

  /** Each deployment the caller may use and this container's view of it (no model is called). */
  health(allowed: AllowedModels): Record<string, unknown>[] {
    const rows: Record<string, unknown>[] = [];
    const byId = new Map(this.config.models.map((m) => [m.id, m]));
    for (const groups of [this.chatGroups, this.embeddingGroups] as const) {
      for (const [name, group] of groups as ReadonlyMap<string, ModelGroup<unknown>>) {
        if (allowed && !allowed.has(name)) continue;
        for (const status of group.status()) {
          if (rows.some((r) => r.deployment === status.deployment)) continue;
          rows.push({ model: name, ...status, ...upstreamOf(byId.get(status.deployment)!).describe(byId.get(status.deployment)!) });
        }
      }
    }
    return rows;
  }

  private deploymentsOf(name: string): ListedModel['deployments'] {
    return this.config.models
      .filter((m) => m.name === name)
      .map((m) => {
        const component = upstreamOf(m).describe(m).inference_component;
        return { id: m.id, ...(component && { inference_component: component }) };
      });
  }
}

interface Deployment<M> {
  id: string;
  model: M;
  routing?: ModelConfig['routing'];
  health: DeploymentHealth;
}

/**
 * The catalog of a config: each deployment's dialect bound to its transport, deployments grouped by
 * name. `limits` holds deployments with `rpm`/`tpm` to them across containers (the usage store's counters);
 * `random` picks among deployments (injected where a test needs the choice known).
 */
export function buildCatalog(
  config: GatewayConfig,
  images: ImageFetcher,
  limits?: DeploymentLimits,
  random: () => number = Math.random,
): ModelCatalog {
  const chat = new Map<string, Deployment<ChatModel>[]>();
  const embedding = new Map<string, Deployment<EmbeddingModel>[]>();
  const completion = new Map<string, Deployment<CompletionModel>[]>();
  const messages = new Map<string, Deployment<RelayModel>[]>();
  // One view of a deployment whichever route uses it: a deployment failing chat cools down for completions too.
  const health = new Map(config.models.map((m) => [m.id, new DeploymentHealth()]));
  const add = <M>(into: Map<string, Deployment<M>[]>, config: ModelConfig, model: M) => {
    const members = into.get(config.name) ?? [];
    members.push({ id: config.id, model, health: health.get(config.id)!, ...(config.routing && { routing: config.routing }) });
    into.set(config.name, members);
  };
  for (const model of config.models) {
    const upstream = upstreamOf(model);
    const transports = upstream.transports(model);
    const target = { modelField: upstream.modelField(model), takesMaxCompletionTokens: upstream.takesMaxCompletionTokens };
    if (transports.chat) {
      const dialect = chatDialects[model.dialect as ChatDialectName](model, target);
      add(chat, model, createChatModel(model, { dialect, transport: transports.chat, images }));
      const completions = transports.completions && createCompletionModel(model, { dialect, transport: transports.completions });
      if (completions) add(completion, model, completions);
      if (transports.messages) add(messages, model, createRelayModel(model, transports.messages));
    }
    if (transports.embeddings) {
      // An OpenAI-compatible server's embeddings speak OpenAI's embeddings API.
      const dialect = isEmbeddingDialect(model.dialect) ? model.dialect : 'openai-embeddings';
      add(embedding, model, createEmbeddingModel(model, { dialect: embeddingDialects[dialect](model, target), transport: transports.embeddings }));
    }
  }
  const groups = <M>(members: Map<string, Deployment<M>[]>, router: RouterConfig) =>
    new Map([...members].map(([name, deployments]) => [name, new ModelGroup(name, deployments, router, random, limits)]));
  return new ModelCatalog(
    config,
    groups(chat, config.router),
    groups(embedding, config.router),
    groups(completion, config.router),
    groups(messages, config.router),
  );
}
