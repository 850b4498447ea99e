import { imageSize } from 'image-size';
import { openAIChatContainer } from './openai-chat-container.js';
import type { Container } from './sagemaker-runtime.js';

/**
 * A Qwen2.5-VL container behind vLLM's OpenAI chat route, with the limits of the real processor
 * (docs/wire-facts.md §3): sides of at least 28 px, aspect ratio at most 200, a number of images per prompt,
 * and no network (endpoints in private VPCs cannot fetch URLs). It answers with what it was shown:
 * "I see 2 images: 56x56 png, 1200x800 jpeg".
 */
export function qwenVLContainer(options: { maxImages?: number } = {}): Container {
  const maxImages = options.maxImages ?? 10;
  let seen: string[] = [];
  const chat = openAIChatContainer({
    reply: (text) => `I see ${seen.length} image${seen.length === 1 ? '' : 's'}${seen.length ? `: ${seen.join(', ')}` : ''}. ${text}`,
  });
  return (invocation) => {
    const body = JSON.parse(invocation.body.toString('utf8')) as { messages?: { content: unknown }[] };
    const urls: string[] = [];
    for (const message of body.messages ?? []) {
      if (!Array.isArray(message.content)) continue;
      for (const part of message.content)
        if (part?.type === 'image_url') urls.push(typeof part.image_url === 'string' ? part.image_url : part.image_url?.url);
    }
    if (urls.length > maxImages) return error(`At most ${maxImages} image(s) may be provided in one request.`);
    seen = [];
    for (const url of urls) {
      const match = /^data:(image\/[\w+.-]+);base64,(.*)$/s.exec(url ?? '');
      if (!match) return error(`Failed to load image from ${String(url).slice(0, 60)}: [Errno 101] Network is unreachable`);
      const bytes = Buffer.from(match[2]!, 'base64');
      let size: { width?: number; height?: number; type?: string };
      try {
        size = imageSize(bytes);
      } catch {
        return error('cannot identify image file');
      }
      const [w, h] = [size.width ?? 0, size.height ?? 0];
      if (`image/${size.type === 'jpg' ? 'jpeg' : size.type}` !== match[1]) return error(`image data is ${size.type} but was declared ${match[1]}`);
      if (w < 28 || h < 28) {
        return error(
          `Failed to apply Qwen2_5_VLProcessor on data={'text': '<|image_pad|>', 'images': [<PIL.Image.Image image mode=RGB size=${w}x${h}>]} with kwargs={}: height:${h} or width:${w} must be larger than factor:28`,
        );
      }
      if (Math.max(w, h) / Math.min(w, h) > 200)
        return error(`absolute aspect ratio must be smaller than 200, got ${Math.max(w, h) / Math.min(w, h)}`);
      seen.push(`${w}x${h} ${size.type === 'jpg' ? 'jpeg' : size.type}`);
    }
    return chat(invocation);
  };
}

function error(message: string) {
  return { status: 400, body: { error: { message, type: 'BadRequestError', param: null, code: 400 } } };
}
