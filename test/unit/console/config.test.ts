import { ConfigError, configNotices, parseConfig } from '../../../config/load.js';

const MODELS = 'models: [{ name: chat, endpoint: e }]\nauth: { master_key: sk-config-master-key-0123 }\n';
const LITELLM = `
model_list:
  - model_name: chat
    litellm_params: { model: sagemaker_chat/e }
general_settings:
  master_key: sk-config-master-key-0123
`;

function issuesOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(text, 'test', env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw error;
  }
  return [];
}

describe('the console in the config', () => {
  it('is off, and absent from the normalised config, unless enabled', () => {
    expect(parseConfig(MODELS).ui).toBeUndefined();
    expect(parseConfig(`${MODELS}ui: { enabled: false, idle_timeout_minutes: 5 }`).ui).toBeUndefined();
    expect(parseConfig(`${MODELS}ui: { enabled: true }`).ui).toEqual({
      manageKeys: false,
      idleTimeoutMinutes: 15,
      absoluteTimeoutMinutes: 480,
      maxSignInAttempts: 10,
    });
  });

  it('refuses settings that cannot hold, naming their path', () => {
    expect(issuesOf(`${MODELS}ui: { manage_keys: true }`)).toEqual(['ui.manage_keys: manage_keys needs enabled: true']);
    expect(issuesOf(`${MODELS}ui: { enabled: true, idle_timeout_minutes: 60, absolute_timeout_minutes: 30 }`)).toEqual([
      'ui.idle_timeout_minutes: the idle timeout cannot be longer than the absolute timeout',
    ]);
    expect(issuesOf(`${MODELS}ui: { enabled: true, theme: dark }`)[0]).toMatch(/^ui: sagegate does not support 'theme'/);
    expect(issuesOf('models: [{ name: chat, endpoint: e }]\nauth: { disabled: true }\nui: { enabled: true }')).toEqual([
      'ui.enabled: the console signs in with the master key or an admin key: set a master key (auth.master_key, or general_settings.master_key) or turn it off',
    ]);
  });

  it("LiteLLM form: general_settings.ui; ui_access_mode admin_only; LiteLLM's username and password refused with what to do instead", () => {
    expect(parseConfig(`${LITELLM}  ui: { enabled: true, manage_keys: true }\n  ui_access_mode: admin_only\n`).ui).toMatchObject({
      manageKeys: true,
    });
    expect(issuesOf(`${LITELLM}  ui_username: admin\n`)).toEqual([
      "general_settings.ui_username: sagegate's console signs in with the master key or an admin key (npx sagegate keys create --admin), not a username and password: remove it",
    ]);
    expect(issuesOf(`${LITELLM}  ui_access_mode: all\n`)[0]).toMatch(/^general_settings\.ui_access_mode: sagegate's console admits admins only/);
    expect(issuesOf(LITELLM.replace('  master_key: sk-config-master-key-0123\n', '  ui: { enabled: true }\n'))).toEqual([
      expect.stringMatching(/^general_settings\.ui\.enabled: the console signs in with the master key/),
    ]);
  });

  it("LiteLLM's DISABLE_ADMIN_UI turns it off, and its UI_PASSWORD is said to be unused, never silently ignored", () => {
    const off = parseConfig(`${LITELLM}  ui: { enabled: true }\n`, 'test', { DISABLE_ADMIN_UI: 'True' });
    expect(off.ui).toBeUndefined();
    expect(configNotices(off).join('\n')).toContain('DISABLE_ADMIN_UI is set');
    const on = parseConfig(`${LITELLM}  ui: { enabled: true }\n`, 'test', { UI_PASSWORD: 'hunter2' });
    expect(on.ui).toBeDefined();
    expect(configNotices(on).join('\n')).toContain('UI_PASSWORD is not used');
  });
});
