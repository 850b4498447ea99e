import type { ImageSettings } from '../config/config.js';
import type { ImagePresetName } from '../config/names.js';

/** What a vision model gets unless its config says otherwise; `default` also serves models with no settings. */
export const IMAGE_PRESETS: Record<ImagePresetName, ImageSettings> = {
  default: { minSide: 1, maxPixels: 33_177_600, maxAspectRatio: 10_000, maxImages: 20, format: 'keep', quality: 90 },
  // Qwen2-VL / Qwen2.5-VL: sides >= 28 px (56 is safer), aspect ratio <= 200, pixels up to
  // 12,845,056 for the 7B model (docs/wire-facts.md §3).
  'qwen-vl': { minSide: 56, maxPixels: 12_845_056, maxAspectRatio: 200, maxImages: 10, format: 'keep', quality: 90 },
};
