import { servedHeaders } from '../../../lambda/pipeline/served-headers.js';

/** The response headers that say who answered and whether the usage is an estimate. */

describe('served-by headers', () => {
  it('name the deployment that answered, and nothing more for a plain first-attempt answer', () => {
    expect(servedHeaders({ servedBy: 'qwen-a', attempts: 1 })).toEqual({ 'x-sagegate-deployment': 'qwen-a' });
  });

  it('say when the usage is estimated, which fallback answered and after how many attempts', () => {
    expect(servedHeaders({ servedBy: 'small-a', fallback: 'small', attempts: 3 }, true)).toEqual({
      'x-sagegate-deployment': 'small-a',
      'x-sagegate-usage': 'estimated',
      'x-sagegate-fallback': 'small',
      'x-sagegate-attempts': '3',
    });
  });
});
