/**
 * The benchmark's OpenAI-compatible upstream, in its own process: the bench model (8 chunks at once,
 * or 5 ms apart for `-paced` names) on `/v1/chat/completions`. Prints its URL.
 */
import { OpenAIUpstreamEmulator } from '../local/emulators/openai-upstream.js';
import { benchContainer } from './bench-container.js';

const fast = benchContainer(8, 0);
const paced = benchContainer(8, 5);
const upstream = new OpenAIUpstreamEmulator((invocation) => {
  const body = JSON.parse(invocation.body.toString('utf8')) as { model?: string };
  return (body.model?.endsWith('-paced') ? paced : fast)(invocation);
});
// The emulator keeps every request for tests to read: a benchmark would only grow its heap.
const url = await upstream.start();
setInterval(() => upstream.requests.splice(0), 1000).unref();
console.log(JSON.stringify({ url }));
