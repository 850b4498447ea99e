import { parseConfig } from '../../../config/load.js';
import type { ImageFetcher } from '../../../lambda/images/image-fetcher.js';
import { buildCatalog } from '../../../lambda/models/model-catalog.js';

/** The names a client may send, what /v1/models and /health/models list, and what a name it may not use gets. */

const config = parseConfig(
  `
model_list:
  - model_name: qwen
    litellm_params: { model: sagemaker_chat/qwen-a, aws_region_name: eu-west-1, model_id: qwen-a-ic }
  - model_name: qwen
    litellm_params: { model: sagemaker_chat/qwen-b, aws_region_name: eu-west-1 }
  - model_name: bge
    litellm_params: { model: sagemaker/bge-endpoint, aws_region_name: eu-west-1 }
    model_info: { mode: embedding }
router_settings:
  model_group_alias:
    gpt-4o: qwen
    internal: { model: qwen, hidden: true }
`,
  'test.yaml',
  {},
);
const catalog = buildCatalog(config, {} as ImageFetcher, undefined, () => 0);
const qwenDeployments = [{ id: 'qwen-1', inference_component: 'qwen-a-ic' }, { id: 'qwen-2' }];

describe('listed models', () => {
  it('are each group once in config order with its deployments, then the aliases not hidden', () => {
    expect(catalog.visible(undefined)).toEqual([
      { id: 'qwen', deployments: qwenDeployments },
      { id: 'bge', deployments: [{ id: 'bge' }] },
      { id: 'gpt-4o', deployments: qwenDeployments },
    ]);
  });

  it('are only those a key may use, its aliases included', () => {
    expect(catalog.visible(new Set(['bge', 'gpt-4o'])).map((m) => m.id)).toEqual(['bge', 'gpt-4o']);
  });

  it("show each deployment's state once in /health/models, before any request", () => {
    const rows = catalog.health(undefined);
    expect(rows.map((r) => [r.model, r.deployment, r.state])).toEqual([
      ['qwen', 'qwen-1', 'available'],
      ['qwen', 'qwen-2', 'available'],
      ['bge', 'bge', 'available'],
    ]);
    expect(rows[0]).toMatchObject({ in_flight: 0, failures_last_minute: 0, cooldown_remaining_seconds: 0 });
  });
});

describe('a name a client sends', () => {
  it('leads to its group, or through an alias (hidden ones too)', () => {
    expect(catalog.chat('qwen', undefined).name).toBe('qwen');
    expect(catalog.chat('gpt-4o', undefined).name).toBe('qwen');
    expect(catalog.chat('internal', undefined).name).toBe('qwen');
    expect(catalog.embedding('bge', undefined).name).toBe('bge');
  });

  it('is a 404 model_not_found when no model has it, naming the closest names', () => {
    expect(() => catalog.chat('gpt-5', undefined)).toThrow(
      expect.objectContaining({
        status: 404,
        code: 'model_not_found',
        param: 'model',
        message: "The model 'gpt-5' does not exist or you do not have access to it. Did you mean 'gpt-4o'?",
      }),
    );
  });

  it('is a 403 model_not_allowed when the key does not list it or its group', () => {
    expect(() => catalog.chat('qwen', new Set(['bge']))).toThrow(expect.objectContaining({ status: 403, code: 'model_not_allowed' }));
    expect(catalog.chat('gpt-4o', new Set(['qwen'])).name).toBe('qwen');
  });

  it('is a 400 that names the right API when it is used on the wrong one', () => {
    expect(() => catalog.chat('bge', undefined)).toThrow(expect.objectContaining({ status: 400, code: 'model_not_chat' }));
    expect(() => catalog.embedding('qwen', undefined)).toThrow(expect.objectContaining({ status: 400, code: 'model_not_embedding' }));
  });
});
