import type { $ZodIssue, ParseContext } from 'zod/v4/core';

/**
 * Parse options that stop each array and object at its first invalid item. By default zod records an
 * issue per bad element: a body of three million bad items took seconds of blocked event loop and
 * gigabytes of issue objects, and a client is told about the first one anyway. `abortEarly` is zod's
 * own switch for this (what its `validate()` uses; docs/wire-facts.md §12), not in its public `ParseContext` type; a unit
 * test (test/unit/request-limits.test.ts) fails if a zod update stops honouring it.
 */
export const FIRST_ISSUE_ONLY = { abortEarly: true } as ParseContext<$ZodIssue>;
