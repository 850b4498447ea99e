/** How a vision model wants its images; the config resolves a preset plus overrides into this. */
export interface ImageSettings {
  /** Shorter sides below this are upscaled (never rejected). */
  minSide: number;
  /** Larger images are downscaled to at most this many pixels. */
  maxPixels: number;
  /** Longer side over shorter side; beyond it the client gets a 400. */
  maxAspectRatio: number;
  maxImages: number;
  /** The encoding of images the gateway re-encodes; `keep` keeps the input's (GIF becomes PNG). */
  format: 'keep' | 'jpeg' | 'png' | 'webp';
  quality: number;
}

export type ImagePreset = 'default' | 'qwen-vl';

export const IMAGE_PRESETS: Record<ImagePreset, ImageSettings> = {
  default: { minSide: 1, maxPixels: 33_177_600, maxAspectRatio: 10_000, maxImages: 20, format: 'keep', quality: 90 },
  // Qwen2-VL / Qwen2.5-VL: sides >= 28 px (56 is safer), aspect ratio <= 200, pixels up to
  // 12,845,056 for the 7B model (wire-facts §3).
  'qwen-vl': { minSide: 56, maxPixels: 12_845_056, maxAspectRatio: 200, maxImages: 10, format: 'keep', quality: 90 },
};

/** The preset for a model whose names say it is a Qwen-VL (as seed 000's `qwen-vlm-private`). */
export function presetForNames(...names: (string | undefined)[]): ImagePreset {
  return names.some((n) => n && /qwen[\w.-]*?vl/i.test(n)) ? 'qwen-vl' : 'default';
}
