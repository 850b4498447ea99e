import { imageSize } from 'image-size';
import { ImageError } from './image-error.js';

export type ImageType = 'png' | 'jpeg' | 'gif' | 'webp';

const TYPES: Record<string, ImageType> = { png: 'png', jpg: 'jpeg', gif: 'gif', webp: 'webp' };

export interface ImageInfo {
  type: ImageType;
  width: number;
  height: number;
}

/**
 * Type and size from the header bytes, without decoding pixels. The type comes from the bytes,
 * never from what the URL or the client claimed. Throws with a client-readable reason.
 */
export function inspectImage(bytes: Uint8Array): ImageInfo {
  let found: { type?: string; width?: number; height?: number; orientation?: number };
  try {
    found = imageSize(bytes);
  } catch {
    throw new ImageError('the data is not a PNG, JPEG, WebP or GIF image');
  }
  const type = found.type ? TYPES[found.type] : undefined;
  // TGA has no signature: bytes that match nothing else "look like" one, so a TGA guess means garbage.
  if (!type && (!found.type || found.type === 'tga')) throw new ImageError('the data is not a valid image (not a PNG, JPEG, WebP or GIF image)');
  if (!type) throw new ImageError(`${found.type!.toUpperCase().slice(0, 8)} images are not supported; send PNG, JPEG, WebP or GIF`);
  if (!found.width || !found.height) throw new ImageError('the image has no size');
  // EXIF orientations 5-8 swap width and height once the image is shown upright.
  const swap = (found.orientation ?? 1) >= 5;
  return { type, width: swap ? found.height : found.width, height: swap ? found.width : found.height };
}

export interface DataUrl {
  mediaType: string;
  base64: string;
}

/** `data:<type>;base64,<data>`; only base64 data URLs carry images. */
export function parseDataUrl(url: string): DataUrl | undefined {
  const match = /^data:([^;,]*)((?:;[^;,]*)*?);base64,/i.exec(url);
  if (!match) return undefined;
  return { mediaType: match[1]!.toLowerCase(), base64: url.slice(match[0].length) };
}

export const toDataUrl = (type: ImageType, bytes: Uint8Array): string => `data:image/${type};base64,${Buffer.from(bytes).toString('base64')}`;

/** Decodes base64 strictly enough to tell garbage from an image. */
export function decodeBase64(base64: string): Buffer {
  const clean = base64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean)) throw new ImageError('the data URL is not valid base64');
  return Buffer.from(clean, 'base64');
}
