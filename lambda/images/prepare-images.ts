import type { ImageSettings } from '../config/config.js';
import { invalidRequest } from '../core/gateway-error.js';
import { log } from '../core/log.js';
import type { ChatRequest } from '../openai/chat-request.js';
import { decodeBase64, inspectImage, parseDataUrl, toDataUrl } from './image-bytes.js';
import { ImageError } from './image-error.js';
import type { ImageFetcher } from './image-fetcher.js';
import { imageParts, imagePath, type LocatedImage, withImageUrls } from './image-parts.js';
import { outputType, resizeImage, targetSize } from './resize-image.js';

/**
 * Makes every image part something the model's container takes: remote images fetched (safely) and
 * inlined, because endpoints in private VPCs cannot reach the internet; sizes brought within the
 * model's limits; the media type taken from the bytes. An image that already fits is passed on
 * untouched and never decoded.
 */
export async function prepareImages(
  request: ChatRequest,
  model: string,
  settings: ImageSettings,
  fetcher: ImageFetcher,
  signal: AbortSignal,
): Promise<ChatRequest> {
  const parts = imageParts(request);
  if (parts.length === 0) return request;
  if (parts.length > settings.maxImages) {
    throw invalidRequest(
      `Model '${model}' accepts at most ${settings.maxImages} images per request; this one has ${parts.length}.`,
      imagePath(parts[settings.maxImages]!),
      'too_many_images',
    );
  }
  const urls = await Promise.all(
    parts.map(async (image) => {
      try {
        return await prepareImage(image.url, settings, fetcher, signal);
      } catch (error) {
        throw invalidImage(image, error);
      }
    }),
  );
  return withImageUrls(request, parts, urls);
}

async function prepareImage(url: string, settings: ImageSettings, fetcher: ImageFetcher, signal: AbortSignal): Promise<string> {
  const data = parseDataUrl(url);
  let bytes: Uint8Array;
  if (data) bytes = decodeBase64(data.base64);
  else if (/^https?:/i.test(url)) bytes = await fetcher.fetch(url, signal);
  else throw new ImageError('image URLs must be data: (base64) or http(s) URLs');

  const info = inspectImage(bytes);
  const ratio = Math.max(info.width, info.height) / Math.min(info.width, info.height);
  if (ratio > settings.maxAspectRatio) {
    throw new ImageError(
      `its aspect ratio is ${Math.round(ratio)}:1 (${info.width}x${info.height}); this model accepts at most ${settings.maxAspectRatio}:1`,
    );
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

/** The client's 400 for an image: its own reason when it is one of ours, a general one (and a log line) when not. */
export function invalidImage(image: LocatedImage, error: unknown) {
  const path = imagePath(image);
  if (!(error instanceof ImageError))
    log.warn('image could not be processed', {
      part: path,
      error: (error as Error)?.name,
      detail: String((error as Error)?.message ?? error).slice(0, 300),
    });
  const reason = error instanceof ImageError ? error.message : 'the image could not be processed';
  return invalidRequest(`Invalid image in ${path}: ${reason}.`, path, 'invalid_image');
}
