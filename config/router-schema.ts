import { z } from 'zod';

/**
 * LiteLLM's router vocabulary, as sagegate takes it: the same keys under `router` natively, and under
 * `router_settings` / `litellm_settings` in LiteLLM configs (docs/wire-facts.md §7). Strict: a router
 * key sagegate does not implement is refused with its path, never ignored.
 */
const seconds = z.number().positive();
const count = z.number().int().min(0).max(20);
const groupName = z.string().min(1);

export const ROUTING_STRATEGIES = ['simple-shuffle', 'least-busy', 'latency-based-routing'] as const;

/**
 * `[{"model-a": ["model-b", "model-c"]}]` (LiteLLM's form), or a plain list `[model-b, model-c]`,
 * which migrated LiteLLM configs write: read as one chain in that order.
 */
export const fallbacksSchema = z.union([
  z.array(groupName).min(1),
  z.array(
    z
      .record(groupName, z.array(groupName))
      .refine((entry) => Object.keys(entry).length === 1, 'each entry maps one model group to its fallbacks: {"a": ["b", "c"]}'),
  ),
]);

/** A deployment's own routing settings (LiteLLM's `litellm_params` names). */
export const deploymentRoutingFields = {
  /** Share of traffic under simple-shuffle. */
  weight: z.number().min(0).optional(),
  rpm: z.number().int().positive().optional(),
  tpm: z.number().int().positive().optional(),
  num_retries: count.optional(),
  max_retries: count.optional(),
  timeout: seconds.optional(),
  request_timeout: seconds.optional(),
  stream_timeout: seconds.optional(),
  cooldown_time: z.number().min(0).optional(),
};

export const routerSettingsFields = {
  routing_strategy: z
    .string()
    .refine((s) => (ROUTING_STRATEGIES as readonly string[]).includes(s), {
      error: (issue) =>
        `routing strategy '${String(issue.input).slice(0, 64)}' is not supported; sagegate routes with ${ROUTING_STRATEGIES.join(', ')} (LiteLLM's others need its Redis or cost map)`,
    })
    .optional(),
  num_retries: count.optional(),
  retry_after: z.number().min(0).max(60).optional(),
  timeout: seconds.optional(),
  stream_timeout: seconds.optional(),
  allowed_fails: z.number().int().min(0).optional(),
  cooldown_time: z.number().min(0).optional(),
  disable_cooldowns: z.boolean().optional(),
  fallbacks: fallbacksSchema.optional(),
  context_window_fallbacks: fallbacksSchema.optional(),
  default_fallbacks: z.array(groupName).optional(),
  max_fallbacks: z.number().int().min(0).max(20).optional(),
  model_group_alias: z.record(groupName, z.union([groupName, z.strictObject({ model: groupName, hidden: z.boolean().optional() })])).optional(),
};

/** The native `router` block: LiteLLM's router_settings keys. */
export const routerSchema = z.strictObject(routerSettingsFields);
export type RouterSettings = z.output<typeof routerSchema>;
