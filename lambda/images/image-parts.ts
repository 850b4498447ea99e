import type { ChatRequest, ContentPart } from '../openai/chat-request.js';

type ImagePart = Extract<ContentPart, { type: 'image_url' }>;

/** An image part, where it sits (`messages[m].content[p]`, for error messages) and its URL. */
export interface LocatedImage {
  m: number;
  p: number;
  url: string;
  detail?: string;
}

export const imagePath = (image: LocatedImage) => `messages[${image.m}].content[${image.p}]`;

/** Every image part of a request, in order. */
export function imageParts(request: ChatRequest): LocatedImage[] {
  const found: LocatedImage[] = [];
  request.messages.forEach((message, m) => {
    if (!Array.isArray(message.content)) return;
    message.content.forEach((part, p) => {
      if (part.type !== 'image_url') return;
      const image = (part as ImagePart).image_url;
      if (typeof image === 'string') found.push({ m, p, url: image });
      else found.push({ m, p, url: image.url, ...(image.detail && { detail: image.detail }) });
    });
  });
  return found;
}

/**
 * A copy of the request whose image parts carry `urls` (in `imageParts` order), always in the object
 * form; messages without images are shared, not copied.
 */
export function withImageUrls(request: ChatRequest, images: LocatedImage[], urls: string[]): ChatRequest {
  const byPart = new Map(images.map((image, i) => [`${image.m}.${image.p}`, { url: urls[i]!, detail: image.detail }]));
  return {
    ...request,
    messages: request.messages.map((message, m) => {
      if (!Array.isArray(message.content)) return message;
      let changed = false;
      const content = message.content.map((part, p) => {
        const next = byPart.get(`${m}.${p}`);
        if (!next) return part;
        changed = true;
        return { type: 'image_url' as const, image_url: { url: next.url, ...(next.detail && { detail: next.detail as 'auto' | 'low' | 'high' }) } };
      });
      return changed ? ({ ...message, content } as typeof message) : message;
    }),
  };
}
