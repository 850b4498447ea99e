import type { AnswerScope } from '../../lambda/pipeline/answer-scope.js';
import type { Admission, AnsweredRequest } from '../../lambda/usage/usage.js';

/**
 * An admission that records what would be metered, whose writes land when the test says so, and
 * the scope of a request under it (its `waitUntil` keeps the writes handed to it).
 */
export function fakeAdmission(options: { urgent?: boolean } = {}) {
  const recorded: AnsweredRequest[] = [];
  const landings: (() => void)[] = [];
  let released = 0;
  const admission: Admission = {
    urgent: options.urgent ?? false,
    record(answer) {
      recorded.push(answer);
      return new Promise<void>((resolve) => landings.push(resolve));
    },
    release() {
      released++;
    },
  };
  const waited: Promise<unknown>[] = [];
  const scope = (extra: Partial<AnswerScope> = {}): AnswerScope => ({
    requestId: 'req-1',
    admission,
    cancel: new AbortController(),
    waitUntil: (work) => waited.push(work),
    ...extra,
  });
  return {
    admission,
    scope,
    recorded,
    waited,
    released: () => released,
    /** Lets every write made so far land. */
    land: () => {
      for (const land of landings.splice(0)) land();
    },
  };
}

/** Whether a promise has settled after the pending turns of the event loop. */
export async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}
