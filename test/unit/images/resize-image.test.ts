import { presetForNames } from '../../../config/model-names.js';
import { IMAGE_PRESETS } from '../../../lambda/images/image-presets.js';
import { targetSize } from '../../../lambda/images/resize-image.js';

describe('fitting images to a model', () => {
  const qwen = IMAGE_PRESETS['qwen-vl'];
  it('upscales small sides to the minimum, downscales past the pixel cap, leaves the rest', () => {
    expect(targetSize({ type: 'png', width: 10, height: 10 }, qwen)).toEqual({ width: 56, height: 56 });
    expect(targetSize({ type: 'png', width: 20, height: 100 }, qwen)).toEqual({ width: 56, height: 280 });
    expect(targetSize({ type: 'jpeg', width: 8000, height: 6000 }, qwen)).toEqual({ width: 4138, height: 3104 });
    expect(targetSize({ type: 'png', width: 640, height: 480 }, qwen)).toBeUndefined();
  });

  it('recognises Qwen-VL models by name', () => {
    expect(presetForNames('qwen-vlm-private')).toBe('qwen-vl');
    expect(presetForNames('x', 'Qwen/Qwen2.5-VL-7B-Instruct')).toBe('qwen-vl');
    expect(presetForNames('qwen2.5-7b-instruct')).toBe('default');
  });
});
