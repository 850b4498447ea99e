import { z } from 'zod';

/**
 * The admin console at /ui (lambda/console/). Off unless enabled: it adds a session secret and, with
 * `manage_keys`, the key store's write permissions to the stack (IAM grows only when asked).
 */
export const uiSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** Create, update and revoke keys and rotate the master key from the console: grants the function PutSecretValue and the staging calls. */
    manage_keys: z.boolean().default(false),
    /** A session ends after this long without a request... */
    idle_timeout_minutes: z.number().int().min(1).max(120).default(15),
    /** ...and this long after sign-in, whatever happens. */
    absolute_timeout_minutes: z.number().int().min(5).max(1440).default(480),
    /** Sign-in attempts one client address may make in 15 minutes, across every container. */
    max_sign_in_attempts: z.number().int().min(1).max(1000).default(10),
  })
  .superRefine((ui, ctx) => {
    if (ui.manage_keys && !ui.enabled) ctx.addIssue({ code: 'custom', path: ['manage_keys'], message: 'manage_keys needs enabled: true' });
    if (ui.idle_timeout_minutes > ui.absolute_timeout_minutes)
      ctx.addIssue({ code: 'custom', path: ['idle_timeout_minutes'], message: 'the idle timeout cannot be longer than the absolute timeout' });
  });

export type UiSettings = z.output<typeof uiSchema>;
