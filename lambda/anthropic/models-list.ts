import type { ListedModel } from '../models/model-catalog.js';

/** Model objects carry the container's start time, stable across calls as clients cache them. */
const createdAt = new Date().toISOString();

/**
 * `GET /v1/models` in Anthropic's shape, for clients that send `anthropic-version` (Claude Code lists
 * a gateway's models this way): `type: "model"`, `display_name`, `created_at`, and one page.
 */
export function anthropicModelList(models: readonly ListedModel[]) {
  const data = models.map(({ id }) => ({ type: 'model', id, display_name: id, created_at: createdAt }));
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}

export function anthropicModel(model: ListedModel) {
  return { type: 'model', id: model.id, display_name: model.id, created_at: createdAt };
}
