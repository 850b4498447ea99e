import '../../support/loud-logs.js';
import { jest } from '@jest/globals';
import { normalizeFinishReason } from '../../../lambda/openai/chat-types.js';

describe('finish reasons', () => {
  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['tool_calls', 'tool_calls'],
    ['content_filter', 'content_filter'],
    ['eos_token', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_length', 'length'],
    [null, null],
    [undefined, null],
  ])('%s → %s', (raw, expected) => {
    expect(normalizeFinishReason(raw, 'm')).toBe(expected);
  });

  it('an unknown word becomes stop, and the container word goes to the log once', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(normalizeFinishReason('cosmic_ray', 'm-finish')).toBe('stop');
      expect(normalizeFinishReason('cosmic_ray', 'm-finish')).toBe('stop');
      const lines = write.mock.calls.map((call) => String(call[0])).filter((line) => line.includes('cosmic_ray'));
      expect(lines).toHaveLength(1);
    } finally {
      write.mockRestore();
    }
  });
});
