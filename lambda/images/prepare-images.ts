import { invalidRequest } from '../http/errors.js';
import type { ChatRequest, ContentPart } from '../openai/chat-request.js';
import type { ModelConfig } from '../config/types.js';
import { ImageFetchError, type ImageFetcher } from './image-fetcher.js';
import { decodeBase64, inspectImage, parseDataUrl, toDataUrl } from './image-bytes.js';
import { IMAGE_PRESETS, type ImageSettings } from './image-settings.js';
import { outputType, resizeImage, targetSize } from './resize-image.js';

type ImagePart = Extract<ContentPart, { type: 'image_url' }>;

/** Where each image part sits, for error messages (`messages[2].content[1]`). */
function imageParts(request: ChatRequest): { m: number; p: number; part: ImagePart }[] {
  const found: { m: number; p: number; part: ImagePart }[] = [];
  request.messages.forEach((message, m) => {
    if (Array.isArray(message.content)) message.content.forEach((part, p) => part.type === 'image_url' && found.push({ m, p, part }));
  });
  return found;
}

export const hasImages = (request: ChatRequest): boolean => imageParts(request).length > 0;

const urlOf = (part: ImagePart) => (typeof part.image_url === 'string' ? part.image_url : part.image_url.url);

/**
 * Makes every image part something the model's container takes: remote images fetched (safely) and
 * inlined, because endpoints in private VPCs cannot reach the internet; sizes brought within the
 * model's limits; the media type taken from the bytes. An image that already fits is passed on
 * untouched and never decoded.
 */
export async function prepareImages(request: ChatRequest, model: ModelConfig, fetcher: ImageFetcher, signal: AbortSignal): Promise<ChatRequest> {
  const parts = imageParts(request);
  if (parts.length === 0) return request;
  const settings = model.images ?? IMAGE_PRESETS.default;
  if (parts.length > settings.maxImages) {
    const extra = parts[settings.maxImages]!;
    throw invalidRequest(`Model '${model.name}' accepts at most ${settings.maxImages} images per request; this one has ${parts.length}.`, `messages[${extra.m}].content[${extra.p}]`, 'too_many_images');
  }
  const urls = await Promise.all(
    parts.map(async ({ m, p, part }) => {
      try {
        return await prepareImage(urlOf(part), settings, fetcher, signal);
      } catch (error) {
        const reason = error instanceof ImageFetchError || error instanceof Error ? error.message : String(error);
        throw invalidRequest(`Invalid image in messages[${m}].content[${p}]: ${reason}.`, `messages[${m}].content[${p}]`, 'invalid_image');
      }
    }),
  );
  const replaced = new Map(parts.map(({ part }, i) => [part, urls[i]!]));
  return {
    ...request,
    messages: request.messages.map((message) => {
      if (!Array.isArray(message.content) || !message.content.some((part) => replaced.has(part as ImagePart))) return message;
      const content = message.content.map((part) => {
        const url = replaced.get(part as ImagePart);
        if (url === undefined) return part;
        const detail = typeof (part as ImagePart).image_url === 'object' ? ((part as ImagePart).image_url as { detail?: string }).detail : undefined;
        return { type: 'image_url' as const, image_url: { url, ...(detail && { detail }) } };
      });
      return { ...message, content } as typeof message;
    }),
  };
}

async function prepareImage(url: string, settings: ImageSettings, fetcher: ImageFetcher, signal: AbortSignal): Promise<string> {
  const data = parseDataUrl(url);
  let bytes: Uint8Array;
  if (data) bytes = decodeBase64(data.base64);
  else if (/^https?:/i.test(url)) bytes = await fetcher.fetch(url, signal);
  else throw new Error('image URLs must be data: (base64) or http(s) URLs');

  const info = inspectImage(bytes);
  const ratio = Math.max(info.width, info.height) / Math.min(info.width, info.height);
  if (ratio > settings.maxAspectRatio) {
    throw new Error(`its aspect ratio is ${Math.round(ratio)}:1 (${info.width}x${info.height}); this model accepts at most ${settings.maxAspectRatio}:1`);
  }
  const size = targetSize(info, settings);
  const type = settings.format === 'keep' || settings.format === info.type ? info.type : undefined;
  if (!size && type) {
    // Fits as it is: a data URL is passed on (with the sniffed type), a fetched image inlined.
    return data && data.mediaType === `image/${type}` ? url : toDataUrl(type, bytes);
  }
  const out = outputType(info.type, settings);
  return toDataUrl(out, await resizeImage(bytes, size ?? { width: info.width, height: info.height }, out, settings.quality));
}
