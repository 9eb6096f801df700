/** The platform fields of a WeChat account in the hall file. */
import { z } from 'zod';
import { autoReplyMenuSchema } from './callback/menu.js';

const appidSchema = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? 'expected the appid of the Official Account, e.g. "wx0123456789abcdef"'
        : `expected the appid as text, got ${JSON.stringify(issue.input)}`,
  })
  .regex(/^wx[0-9A-Za-z]{16}$/, {
    error: (issue) => `expected "wx" and 16 letters or digits, got ${JSON.stringify(issue.input)}`,
  });

/**
 * Platform fields of a WeChat account in the hall file. The appid is the account's identity on
 * WeChat and is not secret, so it lives here; the AppSecret goes in the credentials (`secret`).
 * `kind` (subscription | service) is a base account field of the hall.
 *
 * - `appid`: `wx` + 16 letters or digits;
 * - `massSendProtection`: the account has API mass-send protection on, so a push to all waits for
 *   the admin (30 minutes); WeChat has no API to read this setting [unconfirmed], so declare it;
 * - `pushQuota`: overrides the push quota (per day for subscription, per month for service).
 *
 * - `autoReply`: the keyword / number auto-reply menu of the inbound callback, checked by the
 *   callback module's schema (`adapters/wechat/callback/menu.ts`).
 *
 * Other fields pass through unchecked.
 */
export const wechatAccountSchema = z.strictObject({
  appid: appidSchema,
  massSendProtection: z.boolean({ error: 'expected true or false' }).optional(),
  autoReply: autoReplyMenuSchema.optional(),
  pushQuota: z
    .number({ error: 'expected a whole number of pushes' })
    .int({ error: 'expected a whole number of pushes' })
    .min(0, { error: 'expected 0 or more pushes' })
    .optional(),
});
