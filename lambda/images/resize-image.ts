import type { ImageSettings } from '../config/config.js';
import { log } from '../core/log.js';
import type { ImageInfo, ImageType } from './image-bytes.js';
import { ImageError } from './image-error.js';

/**
 * The size an image must take for a model: upscaled until its shorter side reaches `minSide`,
 * downscaled to at most `maxPixels`. Undefined when it fits as it is.
 */
export function targetSize(info: ImageInfo, settings: ImageSettings): { width: number; height: number } | undefined {
  const { width, height } = info;
  let scale = 1;
  if (Math.min(width, height) < settings.minSide) scale = settings.minSide / Math.min(width, height);
  if (width * height * scale * scale > settings.maxPixels) scale = Math.sqrt(settings.maxPixels / (width * height));
  if (scale === 1) return undefined;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** The encoding for a re-encoded image: the configured one, else the input's (GIF becomes PNG). */
export function outputType(input: ImageType, settings: ImageSettings): Exclude<ImageType, 'gif'> {
  if (settings.format !== 'keep') return settings.format;
  return input === 'gif' ? 'png' : input;
}

/** Larger inputs are refused before decoding (sharp's own default). */
const MAX_INPUT_PIXELS = 268_402_689;

/**
 * Resizes and re-encodes with sharp (libvips), loaded on first use so requests without images that
 * need changing never load it. EXIF orientation is applied; animation keeps its first frame. An image
 * whose header reads well but whose data does not (cut short, corrupt) fails here: the client is told
 * that in plain words (an ImageError), libvips' own message goes to the log (docs/wire-facts.md §12).
 */
export async function resizeImage(
  bytes: Uint8Array,
  size: { width: number; height: number },
  type: Exclude<ImageType, 'gif'>,
  quality: number,
): Promise<Uint8Array> {
  const { default: sharp } = await import('sharp');
  try {
    return await sharp(bytes, { animated: false, limitInputPixels: MAX_INPUT_PIXELS })
      .rotate()
      .resize(size.width, size.height, { fit: 'fill' })
      .toFormat(type, { quality })
      .toBuffer();
  } catch (error) {
    const detail = (error as Error).message ?? String(error);
    log.warn('image could not be resized', { detail: detail.slice(0, 300), bytes: bytes.byteLength, width: size.width, height: size.height, type });
    if (/pixel limit/i.test(detail)) throw new ImageError(`the image has more pixels than the gateway decodes (${MAX_INPUT_PIXELS})`);
    throw new ImageError('the image data could not be decoded (it may be cut short or corrupt)');
  }
}
