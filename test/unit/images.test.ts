import { presetForNames } from '../../config/model-names.js';
import { hostMatches, isPublicAddress } from '../../lambda/images/address-policy.js';
import { IMAGE_PRESETS } from '../../lambda/images/image-presets.js';
import { targetSize } from '../../lambda/images/resize-image.js';

describe('the address policy for image fetches', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd12:3456::1',
    'fc00::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.1.1.1',
    '64:ff9b::a00:1',
    '2002:a00:1::1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    'not-an-ip',
  ])('refuses %s', (address) => expect(isPublicAddress(address)).toBe(false));

  it.each(['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) =>
    expect(isPublicAddress(address)).toBe(true),
  );

  it('matches hosts exactly or by *. suffix', () => {
    expect(hostMatches('images.corp.example', ['images.corp.example'])).toBe(true);
    expect(hostMatches('a.cdn.example', ['*.cdn.example'])).toBe(true);
    expect(hostMatches('cdn.example', ['*.cdn.example'])).toBe(false);
    expect(hostMatches('evilimages.corp.example', ['images.corp.example'])).toBe(false);
  });
});

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
