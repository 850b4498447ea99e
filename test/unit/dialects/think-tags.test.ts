import { ThinkSplitter } from '../../../lambda/dialects/think-tags.js';

/** Every way of cutting `text` in two (and whole). */
const cuts = (text: string) => Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)].filter(Boolean));

describe('<think> split from the text, cut at every character', () => {
  function split(mode: 'tags' | 'open', parts: string[]) {
    const splitter = new ThinkSplitter(mode);
    let reasoning = '';
    let text = '';
    for (const part of [...parts.map((p) => splitter.push(p)), splitter.end()]) {
      reasoning += part.reasoning;
      text += part.text;
    }
    return { reasoning, text };
  }

  it.each([
    ['tags', '<think>\nThe user greets me.\n</think>\n\nHello!', { reasoning: '\nThe user greets me.\n', text: 'Hello!' }],
    ['tags', 'Hello! No thinking here.', { reasoning: '', text: 'Hello! No thinking here.' }],
    ['tags', '<b>bold</b> answer', { reasoning: '', text: '<b>bold</b> answer' }],
    ['open', 'The user greets me.</think>\n\nHello!', { reasoning: 'The user greets me.', text: 'Hello!' }],
    ['open', '<think>x</think>y', { reasoning: 'x', text: 'y' }],
    ['open', 'cut short while thinking', { reasoning: 'cut short while thinking', text: '' }],
  ] as const)('%s: %j', (mode, output, expected) => {
    for (const parts of cuts(output)) expect(split(mode, parts)).toEqual(expected);
  });

  it('splits `<thi` + `nk>` and `</thi` + `nk>` one character at a time', () => {
    expect(split('tags', [...'<think>a</think>b'])).toEqual({ reasoning: 'a', text: 'b' });
  });
});
