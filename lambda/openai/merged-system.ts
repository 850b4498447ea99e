/**
 * Several system messages at the start of a chat become one (their texts joined by a blank line):
 * many chat templates take one system message only. Messages whose content is not text stay apart.
 */
export function mergedSystem(messages: Record<string, unknown>[]): Record<string, unknown>[] {
  let n = 0;
  while (messages[n]?.role === 'system' && typeof messages[n]!.content === 'string') n++;
  if (n < 2) return messages;
  return [
    {
      role: 'system',
      content: messages
        .slice(0, n)
        .map((m) => m.content)
        .join('\n\n'),
    },
    ...messages.slice(n),
  ];
}
