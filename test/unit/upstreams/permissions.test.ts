import { parseConfig } from '../../../config/load.js';
import { assumedRoles, upstreamPermissions } from '../../../lambda/upstreams/permissions.js';

/** What each upstream kind asks of the gateway's role, merged for a config: the statements a reviewer reads. */
const PLACE = { region: 'us-east-1', account: '123456789012' };
const permissionsOf = (yaml: string) => upstreamPermissions(parseConfig(yaml).models, PLACE);
const ep = (name: string, region = 'us-east-1') => `arn:aws:sagemaker:${region}:123456789012:endpoint/${name}`;

it('grants streaming models both invoke actions, and other models InvokeEndpoint only, each ARN once and lower-cased', () => {
  const statements = permissionsOf(`
models:
  - { name: chat, endpoint: Chat-EP }
  - { name: chat-again, endpoint: chat-ep }
  - { name: bge, endpoint: BGE, dialect: tei }
  - { name: ic, endpoint: shared, inference_component: Llama-IC, region: eu-west-1 }
`);
  expect(statements).toEqual([
    {
      sid: 'InvokeConfiguredModels',
      actions: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointWithResponseStream'],
      resources: [ep('chat-ep'), ep('shared', 'eu-west-1'), 'arn:aws:sagemaker:eu-west-1:123456789012:inference-component/llama-ic'],
    },
    { sid: 'InvokeConfiguredModelsWhole', actions: ['sagemaker:InvokeEndpoint'], resources: [ep('bge')] },
  ]);
});

it('drops an endpoint from the InvokeEndpoint-only statement when a streaming model already may invoke it', () => {
  const statements = permissionsOf(`
models:
  - { name: bge, endpoint: shared, dialect: tei }
  - { name: chat, endpoint: shared }
`);
  expect(statements.map((s) => [s.sid, s.resources])).toEqual([['InvokeConfiguredModels', [ep('shared')]]]);
});

it("asks for CallWithBearerToken on * (saying why) for the OpenAI-compatible route's bearer token, not with SigV4", () => {
  const bearer = permissionsOf('models: [{ name: r, endpoint: ep, route: openai }]');
  expect(bearer.map((s) => s.sid)).toEqual(['InvokeConfiguredModelsWhole', 'CallWithBearerToken']);
  expect(bearer[1]).toMatchObject({ resources: ['*'], anyResourceBecause: expect.stringContaining('limited by sagemaker:InvokeEndpoint') });
  expect(permissionsOf('models: [{ name: r, endpoint: ep, route: openai, route_auth: sigv4 }]').map((s) => s.sid)).toEqual([
    'InvokeConfiguredModelsWhole',
  ]);
});

it("assumes a model's role in another account and grants nothing on its endpoint", () => {
  const role = 'arn:aws:iam::210987654321:role/invoke';
  const statements = permissionsOf(
    `models: [{ name: far, endpoint: far-ep, role_arn: "${role}" }, { name: far-route, endpoint: x, route: openai, role_arn: "${role}" }]`,
  );
  expect(statements).toEqual([{ sid: 'AssumeModelRoles', actions: ['sts:AssumeRole'], resources: [role] }]);
  expect(assumedRoles(statements)).toEqual([role]);
});

it("reads an OpenAI-compatible server's key secret, by ARN or by name with its suffix, and nothing for a keyless one", () => {
  const statements = permissionsOf(`
models:
  - { name: a, provider: openai, base_url: "https://a.example.com/v1", model: m, api_key_secret: team/key }
  - { name: b, provider: openai, base_url: "https://b.example.com/v1", model: m, api_key_secret: "arn:aws:secretsmanager:us-east-1:1:secret:k-AbCdEf" }
  - { name: c, provider: openai, base_url: "https://c.example.com/v1", model: m }
`);
  expect(statements).toEqual([
    {
      sid: 'ReadUpstreamApiKeys',
      actions: ['secretsmanager:GetSecretValue'],
      resources: ['arn:aws:secretsmanager:us-east-1:123456789012:secret:team/key-??????', 'arn:aws:secretsmanager:us-east-1:1:secret:k-AbCdEf'],
      patternBecause: expect.stringContaining('name-??????'),
    },
  ]);
});
