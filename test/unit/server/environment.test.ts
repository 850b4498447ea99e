import { parseConfig } from '../../../config/load.js';
import { configFromEnvironment, withEnvironment } from '../../../server/environment.js';

/** The variables of the ECS/Flask service users migrate from, as docs/migrating.md maps them. */
const config = () => parseConfig('models:\n  - name: m\n    endpoint: m-endpoint\n');

it('AUTH_SECRET_ID names the key store secret, as SAGEGATE_KEYS_SECRET does, and turns key checks on', () => {
  const auth = withEnvironment(config(), { AUTH_SECRET_ID: 'prod/api-keys' }).auth;
  expect(auth).toMatchObject({ keysSecret: 'prod/api-keys', disabled: false });
  expect(withEnvironment(config(), { SAGEGATE_KEYS_SECRET: 'a', AUTH_SECRET_ID: 'b' }).auth.keysSecret).toBe('a');
});

it('API_KEY_CACHE_TTL sets auth.cache_ttl_seconds; anything but whole seconds up to a day refuses to start, naming the key', () => {
  expect(withEnvironment(config(), { API_KEY_CACHE_TTL: '3600' }).auth.cacheTtlSeconds).toBe(3600);
  expect(withEnvironment(config(), {}).auth.cacheTtlSeconds).toBe(300);
  for (const ttl of ['1h', '-1', '90000'])
    expect(() => withEnvironment(config(), { API_KEY_CACHE_TTL: ttl })).toThrow(/API_KEY_CACHE_TTL.*auth\.cache_ttl_seconds/);
});

it('SAGEMAKER_ENDPOINT_NAME without a config is one chat model named after the endpoint, in AWS_REGION', async () => {
  const served = await configFromEnvironment(undefined, { SAGEMAKER_ENDPOINT_NAME: 'deepseek-r1-distill', AWS_REGION: 'eu-west-2' });
  expect(served?.models).toEqual([
    expect.objectContaining({ name: 'deepseek-r1-distill', endpoint: 'deepseek-r1-distill', dialect: 'openai-chat', region: 'eu-west-2' }),
  ]);
  expect(await configFromEnvironment(undefined, {})).toBeUndefined();
});
