import '../../../support/loud-logs.js';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { BearerTokens, mintBearerToken } from '../../../../lambda/upstreams/sagemaker-openai/bearer-token.js';
import { checkBearerToken } from '../../../../local/emulators/bearer-token-check.js';
import { Sha256 } from '../../../../local/emulators/sigv4-check.js';

const sha256 = Sha256;
const credentials = { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'IQoJ+token/=' };
const decode = (token: string) => Buffer.from(token.replace(/^sagemaker-api-key-/, ''), 'base64').toString();

describe('the bearer token', () => {
  it('is sagemaker-api-key- and the base64 of a presigned CallWithBearerToken URL ending in &Version=1', async () => {
    const token = await mintBearerToken(credentials, 'us-west-2', sha256, 43_200, new Date('2026-12-02T00:00:00Z'));
    expect(token).toMatch(/^sagemaker-api-key-[A-Za-z0-9+/]+=*$/);
    const url = decode(token);
    expect(url).toMatch(/^sagemaker\.amazonaws\.com\/\?Action=CallWithBearerToken&/);
    expect(url.endsWith('&Version=1')).toBe(true);
    const query = new URLSearchParams(url.split('?')[1]);
    expect(Object.fromEntries(query)).toMatchObject({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'ASIAEXAMPLE/20261202/us-west-2/sagemaker/aws4_request',
      'X-Amz-Date': '20261202T000000Z',
      'X-Amz-Expires': '43200',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Security-Token': 'IQoJ+token/=',
    });
    expect(query.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it("passes the emulator's check, which recomputes the signature, and fails it when tampered with or expired", async () => {
    const token = await mintBearerToken(credentials, 'us-west-2', sha256, 900);
    expect(await checkBearerToken(token, credentials, { region: 'us-west-2' })).toEqual({ accessKeyId: 'ASIAEXAMPLE' });
    expect((await checkBearerToken(token, { ...credentials, secretAccessKey: 'other' })).fault?.type).toBe('InvalidSignatureException');
    expect((await checkBearerToken(token, { ...credentials, sessionToken: 'other' })).fault?.type).toBe('UnrecognizedClientException');
    expect((await checkBearerToken(token, credentials, { region: 'eu-west-1' })).fault?.type).toBe('UnrecognizedClientException');
    const old = await mintBearerToken(credentials, 'us-west-2', sha256, 900, new Date(Date.now() - 901_000));
    expect((await checkBearerToken(old, credentials)).fault?.type).toBe('ExpiredTokenException');
  });
});

describe('the token cache', () => {
  function fakeClient() {
    let current = { ...credentials, expiration: new Date(Date.now() + 3600_000) };
    const client = {
      config: { credentials: async () => current, region: async () => 'us-east-1', sha256 },
    } as unknown as SageMakerRuntimeClient;
    return { client, rotate: () => (current = { ...current, accessKeyId: 'ASIANEW', expiration: new Date(Date.now() + 3600_000) }) };
  }

  it('mints once, lives no longer than the credentials inside it, and is replaced when they change or after a refusal', async () => {
    const { client, rotate } = fakeClient();
    const tokens = new BearerTokens(client);
    const first = await tokens.get();
    expect(Number(new URLSearchParams(decode(first).split('?')[1]).get('X-Amz-Expires'))).toBeLessThanOrEqual(3600);
    expect(await tokens.get()).toBe(first);
    tokens.forget();
    const second = await tokens.get();
    expect(decode(second)).toContain('ASIAEXAMPLE');
    rotate();
    expect(decode(await tokens.get())).toContain('ASIANEW');
  });
});
