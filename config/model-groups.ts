import type { ModelConfig, RouterConfig } from '../lambda/config/config.js';
import { isEmbeddingDialect } from '../lambda/config/names.js';
import type { TranslationIssue } from './litellm.js';
import type { RouterSettings } from './router-schema.js';

type Path = (string | number)[];

/**
 * Deployment ids: the configured one (LiteLLM's `model_info.id`), else the model's name when it is
 * the only deployment of that name, else the name numbered within its group (`glm-1`, `glm-2`).
 */
export function deploymentIds(models: { name: string; id?: string }[]): string[] {
  const counts = new Map<string, number>();
  for (const m of models) counts.set(m.name, (counts.get(m.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  return models.map((m) => {
    if (m.id) return m.id;
    if (counts.get(m.name) === 1) return m.name;
    const n = (seen.get(m.name) ?? 0) + 1;
    seen.set(m.name, n);
    return `${m.name}-${n}`;
  });
}

/** Deployments of one name must be one kind of model: all chat or all embedding, all with or all without vision. */
export function groupIssues(models: ModelConfig[], pathOf: (index: number, key: string) => Path): TranslationIssue[] {
  const issues: TranslationIssue[] = [];
  const first = new Map<string, ModelConfig>();
  const ids = new Set<string>();
  models.forEach((m, i) => {
    if (ids.has(m.id)) issues.push({ path: pathOf(i, 'id'), message: `deployment id '${m.id}' is used twice` });
    ids.add(m.id);
    const leader = first.get(m.name);
    if (!leader) {
      first.set(m.name, m);
      return;
    }
    const kinds = new Set([kindOf(leader), kindOf(m)]);
    if (kinds.has('chat') && kinds.has('embedding')) {
      issues.push({ path: pathOf(i, 'dialect'), message: `the deployments of '${m.name}' must all be chat models or all embedding models` });
    }
    if (leader.vision !== m.vision) {
      issues.push({
        path: pathOf(i, 'vision'),
        message: `the deployments of '${m.name}' must agree on vision (a request could otherwise fail on one and not another)`,
      });
    }
  });
  return issues;
}

/** What a deployment answers: an OpenAI-compatible server does both. */
function kindOf(model: ModelConfig): 'chat' | 'embedding' | 'both' {
  if (model.provider === 'openai') return 'both';
  return isEmbeddingDialect(model.dialect) ? 'embedding' : 'chat';
}

export interface RouterResult {
  router: RouterConfig;
  issues: TranslationIssue[];
  /** Things the user should read once, at start: how a plain fallback list was read. */
  notices: string[];
}

/**
 * The router settings normalised against the configured groups: fallbacks name groups that exist and
 * of the same kind, a plain list becomes one chain (said in a notice), timeouts become milliseconds.
 */
export function normaliseRouter(settings: RouterSettings, models: ModelConfig[], at: (key: string) => Path): RouterResult {
  const issues: TranslationIssue[] = [];
  const notices: string[] = [];
  const groups = new Map<string, 'chat' | 'embedding' | 'both'>();
  for (const m of models) {
    const kind = kindOf(m);
    const seen = groups.get(m.name);
    groups.set(m.name, seen === undefined || seen === kind ? kind : seen === 'both' ? kind : seen);
  }
  const aliases: RouterConfig['aliases'] = {};
  for (const [alias, target] of Object.entries(settings.model_group_alias ?? {})) {
    const group = typeof target === 'string' ? target : target.model;
    if (!groups.has(group)) issues.push({ path: [...at('model_group_alias'), alias], message: `no model is named '${group}'` });
    else if (groups.has(alias)) issues.push({ path: [...at('model_group_alias'), alias], message: `'${alias}' is already a model's name` });
    else aliases[alias] = { group, hidden: typeof target === 'string' ? false : (target.hidden ?? false) };
  }
  const known = (name: string) => groups.has(name) || name in aliases;
  const canonical = (name: string) => aliases[name]?.group ?? name;

  const chains = (key: 'fallbacks' | 'context_window_fallbacks'): Record<string, string[]> => {
    const raw = settings[key];
    const out: Record<string, string[]> = {};
    if (!raw) return out;
    const check = (name: string, path: Path): void => {
      if (!known(name)) issues.push({ path, message: `no model is named '${name}'` });
    };
    if (raw.every((entry) => typeof entry === 'string')) {
      const list = (raw as string[]).map(canonical);
      (raw as string[]).forEach((name, i) => {
        check(name, [...at(key), i]);
      });
      for (const group of groups.keys()) {
        const position = list.indexOf(group);
        const chain = position === -1 ? list : list.slice(position + 1);
        if (chain.length) out[group] = chain;
      }
      const primaries = [...groups.keys()].filter((g) => !list.includes(g));
      notices.push(
        `${formatKey(at(key))} is a plain list, read as one chain in that order: ${primaries.length ? `${primaries.join(', ')} -> ` : ''}${list.join(' -> ')} (each model falls back to the ones after it).`,
      );
      return out;
    }
    (raw as Record<string, string[]>[]).forEach((entry, i) => {
      for (const [group, targets] of Object.entries(entry)) {
        check(group, [...at(key), i, group]);
        targets.forEach((target, j) => {
          check(target, [...at(key), i, group, j]);
        });
        out[canonical(group)] = targets.map(canonical).filter((t) => t !== canonical(group));
      }
    });
    return out;
  };

  const fallbacks = chains('fallbacks');
  const contextWindowFallbacks = chains('context_window_fallbacks');
  const defaultFallbacks = (settings.default_fallbacks ?? []).map(canonical);
  (settings.default_fallbacks ?? []).forEach((name, i) => {
    if (!known(name)) issues.push({ path: [...at('default_fallbacks'), i], message: `no model is named '${name}'` });
  });
  // A chat request cannot fall back to an embedding model, nor the other way.
  for (const [source, table] of [
    ['fallbacks', fallbacks],
    ['context_window_fallbacks', contextWindowFallbacks],
  ] as const) {
    for (const [group, targets] of Object.entries(table)) {
      for (const target of targets) {
        const kinds = new Set([groups.get(group), groups.get(target)]);
        if (kinds.has('chat') && kinds.has('embedding')) {
          issues.push({ path: at(source), message: `'${group}' cannot fall back to '${target}': one makes embeddings, the other chats` });
        }
      }
    }
  }

  const router: RouterConfig = {
    strategy: (settings.routing_strategy as RouterConfig['strategy'] | undefined) ?? 'simple-shuffle',
    ...(settings.num_retries !== undefined && { numRetries: settings.num_retries }),
    retryAfterSeconds: settings.retry_after ?? 0,
    // LiteLLM's defaults: 3 failures a minute, 5 s of cooldown.
    allowedFails: settings.allowed_fails ?? 3,
    cooldownSeconds: settings.disable_cooldowns ? 0 : (settings.cooldown_time ?? 5),
    fallbacks,
    contextWindowFallbacks,
    defaultFallbacks,
    maxFallbacks: settings.max_fallbacks ?? 5,
    ...(settings.timeout !== undefined && { timeoutMs: Math.round(settings.timeout * 1000) }),
    ...(settings.stream_timeout !== undefined && { streamTimeoutMs: Math.round(settings.stream_timeout * 1000) }),
    aliases,
  };
  return { router, issues, notices };
}

const formatKey = (path: Path) => path.map((k) => (typeof k === 'number' ? `[${k}]` : k)).join('.');
