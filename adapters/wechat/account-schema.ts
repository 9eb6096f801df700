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

/** Tag names have at most 30 bytes or characters ([unconfirmed] which): 30 characters here. */
const TAG_NAME_MAX = 30;

/**
 * A follower tag in the hall file: a name (text) or the tag's id (a whole number; 0, 1 and 2 are
 * WeChat's system tags, 2 is 星标组). `tag: 101` is an id, `tag: '101'` a name.
 */
export const wechatPushTagSchema = z.union(
  [
    z.number().int().min(0),
    z
      .string()
      .trim()
      .min(1, { error: 'expected the tag name (e.g. 区县干部) or its numeric id (e.g. 101)' })
      .refine((name) => Array.from(name).length <= TAG_NAME_MAX, {
        error: `a WeChat tag name has at most ${TAG_NAME_MAX} characters: copy the name from the MP console (用户管理 → 标签) or give the tag's numeric id`,
      }),
  ],
  {
    error: 'expected the tag name as text (e.g. 区县干部) or its numeric id as a number (e.g. 101)',
  },
);

/**
 * Platform fields of a WeChat account in the hall file. The appid is the account's identity on
 * WeChat and is not secret, so it lives here; the AppSecret goes in the credentials (`secret`).
 * `kind` (subscription | service) is a base account field of the hall.
 *
 * - `appid`: `wx` + 16 letters or digits;
 * - `massSendProtection`: the account has API mass-send protection on, so a push to all waits for
 *   the admin (30 minutes); WeChat has no API to read this setting [unconfirmed], so declare it;
 * - `pushQuota`: overrides the push quota (per day for subscription, per month for service).
 * - `push.tag`: the account pushes to the followers of this tag instead of to every follower: a
 *   name (text, looked up with `tags/get` before anything is sent) or the tag's numeric id (a
 *   number, sent as it is). See {@link wechatPushTagSchema}.
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
  push: z
    .strictObject(
      { tag: wechatPushTagSchema },
      { error: 'expected { tag: <name or id> }: the follower tag this account pushes to' },
    )
    .optional(),
});
