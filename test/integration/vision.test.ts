import OpenAI from 'openai';
import { qwenVLContainer } from '../../local/emulators/qwen-vl-container.js';
import { tgiContainer } from '../../local/emulators/text-generation-containers.js';
import { type Harness, startHarness } from '../support/harness.js';
import { dataUrl, ImageServer, noise, solidPng } from '../support/images.js';

/** Names the tests point at chosen addresses (the fetcher's DNS is injectable; connections are real). */
const DNS: Record<string, string[]> = {
  'images.test': ['127.0.0.1'], // allow-listed in the config: an internal image service
  'evil.test': ['10.0.0.7'],
  'mixed.test': ['93.184.216.34', '127.0.0.1'],
  'metadata.test': ['169.254.169.254'],
  'mapped.test': ['::ffff:127.0.0.1'],
};
const resolveImageHost = async (host: string) => {
  const addresses = DNS[host];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

let h: Harness;
let images: ImageServer;
let tiny: Buffer;
let square: Buffer;
let bigNoise: Buffer;
let photo: Buffer;

beforeAll(async () => {
  [tiny, square, bigNoise, photo] = await Promise.all([solidPng(10, 10), solidPng(64, 64), noise(2400, 1800), noise(1500, 1500, 'jpeg')]);
  const big = bigNoise;
  images = new ImageServer({
    '/cat.png': () => ({ body: square }),
    '/big.png': () => ({ body: big }),
    '/photo.jpg': () => ({ headers: { 'content-type': 'image/jpeg' }, body: photo }),
    '/text': () => ({ headers: { 'content-type': 'text/plain' }, body: 'hello, not an image' }),
    '/to-private': () => ({ status: 302, headers: { location: `http://127.0.0.1:${images.port}/cat.png` } }),
    '/to-metadata': () => ({ status: 301, headers: { location: 'http://169.254.169.254/latest/meta-data/' } }),
    '/loop': () => ({ status: 302, headers: { location: '/loop' } }),
    '/stall': () => ({ stall: true }),
  });
  await images.start();
  h = await startHarness(
    `
models:
  - { name: qwen2.5-vl, endpoint: qwen-vl-endpoint, vision: true }
  - { name: strict-vl, endpoint: qwen-vl-endpoint, vision: true, images: { min_side: 1500 } }
  - { name: qwen-tgi, endpoint: tgi-vl-endpoint, dialect: tgi-generate, chat_template: chatml, vision: true }
  - { name: qwen-webp, endpoint: qwen-vl-endpoint, vision: true, images: { format: webp, quality: 80 } }
gateway:
  image_fetch: { allow_hosts: [images.test], deny_hosts: ["*.blocked.test"], timeout_ms: 2000, max_bytes: 33554432, max_redirects: 3 }
`,
    (e) => {
      e.addEndpoint('qwen-vl-endpoint', qwenVLContainer());
      e.addEndpoint('tgi-vl-endpoint', tgiContainer({ reply: () => 'A red square.' }));
    },
    { overrides: { resolveImageHost } },
  );
}, 60_000);
afterAll(async () => {
  await h.close();
  await images.stop();
});

const image = (url: string) => ({ type: 'image_url' as const, image_url: { url } });
const ask = (content: OpenAI.ChatCompletionContentPart[], model = 'qwen2.5-vl') =>
  h.client().chat.completions.create({ model, messages: [{ role: 'user', content }] });
const sentImages = () =>
  (JSON.parse(h.emulator.invocations.at(-1)!.body.toString()).messages as { content: { type: string; image_url?: { url: string } }[] }[])
    .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
    .filter((p) => p.type === 'image_url')
    .map((p) => p.image_url!.url);

async function refusal(content: OpenAI.ChatCompletionContentPart[], model?: string) {
  try {
    await ask(content, model);
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('images that fit the model', () => {
  it('succeeds with a 10x10 image, upscaled to the Qwen-VL minimum', async () => {
    const answer = await ask([{ type: 'text', text: '这是什么？' }, image(dataUrl(tiny))]);
    expect(answer.choices[0]!.message.content).toMatch(/^I see 1 image: 56x56 png\. 这是什么？/);
  });

  it('passes an image that already fits untouched (not decoded, not re-encoded)', async () => {
    const url = dataUrl(square);
    await ask([image(url)]);
    expect(sentImages()).toEqual([url]);
  });

  it('takes the type from the bytes, not from the data URL', async () => {
    const answer = await ask([image(dataUrl(square, 'image/jpeg'))]);
    expect(answer.choices[0]!.message.content).toContain('64x64 png');
    expect(sentImages()[0]).toMatch(/^data:image\/png;base64,/);
  });

  it('fetches a remote image and inlines it, since the endpoint has no network', async () => {
    const answer = await ask([{ type: 'text', text: 'describe' }, image(`http://images.test:${images.port}/cat.png`)]);
    expect(answer.choices[0]!.message.content).toContain('64x64 png');
    expect(sentImages()[0]).toBe(dataUrl(square));
  });

  it('accepts the bare-string image_url form and several images across messages, in order', async () => {
    const answer = await h.client().chat.completions.create({
      model: 'qwen2.5-vl',
      messages: [
        { role: 'user', content: [{ type: 'image_url', image_url: dataUrl(square) } as unknown as OpenAI.ChatCompletionContentPart] },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: [{ type: 'text', text: 'and' }, image(dataUrl(tiny)), image(`http://images.test:${images.port}/cat.png`)] },
      ],
    });
    expect(answer.choices[0]!.message.content).toContain('I see 3 images: 64x64 png, 56x56 png, 64x64 png');
  });

  it('re-encodes in the configured format when an image must change', async () => {
    const answer = await ask([image(dataUrl(tiny))], 'qwen-webp');
    expect(answer.choices[0]!.message.content).toContain('56x56 webp');
    expect(sentImages()[0]).toMatch(/^data:image\/webp;base64,/);
  });

  it('sends TGI generate models the image inline in the prompt as markdown', async () => {
    await ask([{ type: 'text', text: 'What is this? ' }, image(dataUrl(tiny))], 'qwen-tgi');
    const inputs: string = JSON.parse(h.emulator.invocations.at(-1)!.body.toString()).inputs;
    expect(inputs).toMatch(/^<\|im_start\|>user\nWhat is this\? !\[\]\(data:image\/png;base64,[A-Za-z0-9+/=]+\)<\|im_end\|>/);
  });

  it('shrinks a too-large image so the request fits SageMaker’s 6 MB', async () => {
    expect(bigNoise.length).toBeGreaterThan(6_291_456);
    const answer = await ask([image(`http://images.test:${images.port}/big.png`)]);
    expect(answer.choices[0]!.message.content).toMatch(/I see 1 image: \d+x\d+ jpeg/);
    expect(h.emulator.invocations.at(-1)!.body.length).toBeLessThanOrEqual(6_291_456);
  });
});

describe('images refused with a 400 that names the part', () => {
  it.each([
    ['loopback', 'http://127.0.0.1:1/x.png', 'private or reserved address (127.0.0.1)'],
    ['the metadata service', 'http://169.254.169.254/latest/meta-data/', 'private or reserved address (169.254.169.254)'],
    ['IPv6 loopback', 'http://[::1]/x.png', 'private or reserved address (::1)'],
    ['a name resolving to a private address', 'http://evil.test/x.png', 'private or reserved address (10.0.0.7)'],
    ['a name with one private address among public ones', 'http://mixed.test/x.png', '(127.0.0.1)'],
    ['an IPv4-mapped loopback', 'http://mapped.test/x.png', '(::ffff:127.0.0.1)'],
    ['a name resolving to the metadata service', 'http://metadata.test/', '(169.254.169.254)'],
    ['file: URLs', 'file:///etc/passwd', 'must be data: (base64) or http(s)'],
    ['an unknown host', 'http://nowhere.test/x.png', 'could not be resolved'],
    ['a denied host', 'http://cdn.blocked.test/x.png', 'fetching from cdn.blocked.test is not allowed'],
  ])('%s', async (_case, url, reason) => {
    const hits = images.hits.length;
    const error = await refusal([{ type: 'text', text: 'look' }, image(url)]);
    expect(error.status).toBe(400);
    expect(error.param).toBe('messages[0].content[1]');
    expect(error.message).toContain(reason);
    expect(images.hits.length).toBe(hits);
  });

  it('a private address, naming the setting an operator would use to allow it', async () => {
    const error = await refusal([image('http://127.0.0.1:1/x.png')]);
    expect(error.message).toContain('gateway.image_fetch.allow_hosts');
  });

  it('garbage base64 bytes, said to be no valid image (not some format they happen to resemble)', async () => {
    // Placeholder base64 (zero bytes), which image sniffers take for a signature-less TGA.
    const garbage = 'A'.repeat(88);
    const error = await refusal([{ type: 'text', text: 'look' }, image(`data:image/png;base64,${garbage}`)]);
    expect(error.status).toBe(400);
    expect(error.message).toContain('not a valid image');
    expect(error.message).not.toMatch(/TGA|are not supported/);
  });

  it('a redirect to a private address, checked again after the allowed first hop', async () => {
    for (const path of ['/to-private', '/to-metadata']) {
      const error = await refusal([image(`http://images.test:${images.port}${path}`)]);
      expect(error.message).toMatch(/private or reserved address \((127\.0\.0\.1|169\.254\.169\.254)\)/);
    }
  });

  it('too many redirects, a stalled host, something that is not an image', async () => {
    expect((await refusal([image(`http://images.test:${images.port}/loop`)])).message).toContain('redirected more than 3 times');
    expect((await refusal([image(`http://images.test:${images.port}/stall`)])).message).toContain('did not answer within 2000 ms');
    expect((await refusal([image(`http://images.test:${images.port}/text`)])).message).toContain('not a PNG, JPEG, WebP or GIF image');
    expect((await refusal([image('data:image/png;base64,@@@not-base64@@@')])).message).toContain('not valid base64');
  });

  it('an aspect ratio beyond the model’s limit', async () => {
    const error = await refusal([image(dataUrl(await solidPng(6000, 20)))]);
    expect(error.message).toContain('aspect ratio is 300:1 (6000x20); this model accepts at most 200:1');
  });

  it('more images than the model takes', async () => {
    const error = await refusal(Array.from({ length: 11 }, () => image(dataUrl(square))));
    expect(error).toMatchObject({ status: 400, param: 'messages[0].content[10]', code: 'too_many_images' });
  });

  it('a 413 that says why when the images cannot be shrunk enough', async () => {
    // Four 1500x1500 photos for a model whose minimum side is 1500: no smaller size is allowed.
    const error = await refusal(
      Array.from({ length: 4 }, () => image(`http://images.test:${images.port}/photo.jpg`)),
      'strict-vl',
    );
    expect(error.status).toBe(413);
    expect(error.message).toContain("over SageMaker's limit of 6291456 bytes (even with its images shrunk to the smallest size the model takes");
  });

  it('audio and file parts', async () => {
    const audio = await refusal([{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }]);
    expect(audio).toMatchObject({ status: 400, param: 'messages[0].content[0].type' });
    const file = await refusal([{ type: 'file', file: { file_id: 'f' } } as OpenAI.ChatCompletionContentPart]);
    expect(file.message).toContain('"file" is not supported');
  });
});

describe('a Qwen-VL LiteLLM config, unchanged', () => {
  it('serves the 10x10 image that LiteLLM failed on', async () => {
    const { readFileSync } = await import('node:fs');
    const seed = await startHarness(readFileSync(new URL('../fixtures/configs/litellm-qwen-vl.yaml', import.meta.url), 'utf8'), (e) => {
      e.addEndpoint('your-vpc-endpoint-name', qwenVLContainer());
    });
    try {
      const answer = await seed.client().chat.completions.create({
        model: 'qwen-vlm-private',
        messages: [{ role: 'user', content: [{ type: 'text', text: '图片里有什么？' }, image(dataUrl(tiny))] }],
      });
      expect(answer.choices[0]!.message.content).toContain('I see 1 image: 56x56 png');
      // The config's defaults reached the container.
      expect(JSON.parse(seed.emulator.invocations[0]!.body.toString())).toMatchObject({ temperature: 0.2, max_tokens: 500 });
    } finally {
      await seed.close();
    }
  });
});
