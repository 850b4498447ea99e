import type { OpenAIModel } from '../../config/config.js';
import { openAIServerPermissions } from '../openai-http/permissions.js';
import type { UpstreamPermissions } from '../upstream-permissions.js';

/** A hosted provider is reached as an OpenAI-compatible server: only its key's secret. */
export const hostedProviderPermissions: UpstreamPermissions<OpenAIModel> = openAIServerPermissions;
