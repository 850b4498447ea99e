import type { ChatRequest } from '../openai/chat-request.js';
import { decodeBase64, inspectImage, parseDataUrl, toDataUrl } from './image-bytes.js';
import { imageParts, withImageUrls } from './image-parts.js';
import { invalidImage } from './prepare-images.js';
import { resizeImage } from './resize-image.js';

export interface PayloadFit {
  /** The upstream's body limit in bytes. */
  maxBytes: number;
  /** Images are never scaled below this side (the model's minimum). */
  minSide: number;
  /** The error for a payload that cannot be made to fit, saying what the client can do. */
  tooLarge(size: number, advice: string): Error;
}

/**
 * Fits a payload into an upstream's body limit (SageMaker's 6 MB): when it is over and images are the
 * reason, they are re-encoded as JPEG and scaled down (never below the model's minimum side) until
 * the payload fits; when that is impossible, the client gets the transport's 413 saying why.
 */
export async function fitPayload(request: ChatRequest, encode: (request: ChatRequest) => Promise<string>, fit: PayloadFit): Promise<string> {
  let payload = await encode(request);
  let size = Buffer.byteLength(payload);
  if (size <= fit.maxBytes) return payload;
  const imageBytes = totalImageBytes(request);
  if (imageBytes === 0) throw fit.tooLarge(size, 'shorten the conversation');
  for (let round = 0; round < 5; round++) {
    // Shrink the images' share of the payload by what is over, with some headroom.
    const keep = Math.max(0.05, (imageBytes - (size - fit.maxBytes * 0.97)) / imageBytes) * (round === 0 ? 1 : 0.7 ** round);
    request = await shrinkImages(request, keep, fit.minSide);
    payload = await encode(request);
    size = Buffer.byteLength(payload);
    if (size <= fit.maxBytes) return payload;
  }
  throw fit.tooLarge(size, 'even with its images shrunk to the smallest size the model takes; send fewer or smaller images');
}

function totalImageBytes(request: ChatRequest): number {
  return imageParts(request).reduce((total, image) => total + image.url.length, 0);
}

/** Every data-URL image re-encoded as JPEG with about `keep` of its bytes (pixels scale with bytes). */
async function shrinkImages(request: ChatRequest, keep: number, minSide: number): Promise<ChatRequest> {
  const images = imageParts(request);
  const urls = await Promise.all(
    images.map(async (image) => {
      const data = parseDataUrl(image.url);
      if (!data) return image.url;
      try {
        const bytes = decodeBase64(data.base64);
        const { width, height } = inspectImage(bytes);
        const scale = Math.min(1, Math.max(Math.sqrt(keep), minSide / Math.min(width, height)));
        const size = { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
        return toDataUrl('jpeg', await resizeImage(bytes, size, 'jpeg', 80));
      } catch (error) {
        // An image passed on untouched so far is decoded for the first time here.
        throw invalidImage(image, error);
      }
    }),
  );
  return withImageUrls(request, images, urls);
}
