import { type ModelConfig, namesOf } from '../config/config.js';
import { partialMarker } from './tool-calls/tool-call-text.js';

const OPEN = '<think>';
const CLOSE = '</think>';

/**
 * How a model's answer carries its thinking in the text (DeepSeek-R1, Qwen3, QwQ):
 * - `tags`: a `<think>...</think>` block at the very start, when there is one;
 * - `open`: the answer starts inside the block (the template opened `<think>` in the prompt, so only
 *   `</think>` appears; an answer that never closes it is all thinking, as when it was cut short);
 * - `off`: the text is never split.
 */
export type ThinkingMode = 'off' | 'tags' | 'open';

/** Models whose names say they always think (their templates open `<think>` in the prompt). */
const ALWAYS_THINKS = /deepseek-r1|r1-distill|qwq|thinking/i;

/**
 * For containers that apply their own template (OpenAI-speaking ones), whose prompt the gateway
 * never sees: `reasoning: true` (or a name such as DeepSeek-R1, QwQ, *-Thinking) means the answer
 * starts thinking; unset, a leading `<think>` block is split out; false, nothing is.
 */
export function thinkingOf(model: ModelConfig): ThinkingMode {
  if (model.reasoning === false) return 'off';
  if (model.reasoning === true) return 'open';
  return namesOf(model).some((n) => n && ALWAYS_THINKS.test(n)) ? 'open' : 'tags';
}

export interface ThoughtAndText {
  reasoning: string;
  text: string;
}

/**
 * Splits streamed text into reasoning and answer text, wherever chunks are cut (`<thi` + `nk>`):
 * text that may still be a tag is held back (docs/wire-facts.md §8). The white space between
 * `</think>` and the answer is dropped.
 */
export class ThinkSplitter {
  private held = '';
  // Both modes start by looking for `<think>`: an `open` answer may still write its own.
  private state: 'start' | 'thinking' | 'answer-start' | 'answer' = 'start';
  private readonly open: boolean;

  constructor(mode: Exclude<ThinkingMode, 'off'>) {
    this.open = mode === 'open';
  }

  /** Whether everything from here on is answer text (callers may then skip the splitter). */
  get done(): boolean {
    return this.state === 'answer';
  }

  push(chunk: string): ThoughtAndText {
    let text = this.held + chunk;
    this.held = '';
    let reasoning = '';
    let answer = '';
    for (;;) {
      if (this.state === 'start') {
        const start = text.trimStart();
        if (start.startsWith(OPEN)) {
          text = start.slice(OPEN.length);
          this.state = 'thinking';
          continue;
        }
        if (OPEN.startsWith(start)) {
          this.held = text;
          break;
        }
        this.state = this.open ? 'thinking' : 'answer';
        continue;
      }
      if (this.state === 'thinking') {
        const end = text.indexOf(CLOSE);
        if (end >= 0) {
          reasoning += text.slice(0, end);
          text = text.slice(end + CLOSE.length);
          this.state = 'answer-start';
          continue;
        }
        const keep = partialMarker(text, CLOSE);
        reasoning += text.slice(0, text.length - keep);
        this.held = text.slice(text.length - keep);
        break;
      }
      if (this.state === 'answer-start') {
        const rest = text.trimStart();
        if (rest === '') break;
        text = rest;
        this.state = 'answer';
      }
      answer += text;
      break;
    }
    return { reasoning, text: answer };
  }

  /** What was held back, at the end of the answer. */
  end(): ThoughtAndText {
    const rest = this.held;
    this.held = '';
    if (this.state === 'thinking' || (this.state === 'start' && this.open)) return { reasoning: rest.replace(/^\s*<think>/, ''), text: '' };
    return { reasoning: '', text: this.state === 'answer-start' ? '' : rest };
  }
}
