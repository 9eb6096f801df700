/**
 * The keyword / number auto-reply menu of one WeChat account, declared in the hall file
 * (the 平安梅州 pattern: a follower sends "1" and gets the 110 guide, "2" traffic, "3" household
 * registration; anything else gets the menu text).
 *
 * ```yaml
 * accounts:
 *   wechat:
 *     handle: 平安梅州
 *     credentials: meizhou-police-wechat
 *     autoReply:
 *       items:
 *         - { keys: ["1", "110", "MENU_110"], reply: "110 报警指南：…" }
 *         - { keys: ["2"], reply: "交通违法查询：…" }
 *         - { keys: ["3"], reply: "户籍办理：…" }
 *       fallback: "回复 1 查看报警指南，2 交通违法查询，3 户籍办理"
 * ```
 */
import { z } from 'zod';
import { formatPath, invalidInput } from '#adapter-kit';
import type { InputIssue } from '#core';
import type { WechatMessage } from './xml.js';

/**
 * How a follower's text and a menu `EventKey` are compared with the keys: Unicode NFKC (so a
 * full-width "１" is "1"), surrounding spaces removed, letters in lower case.
 */
export function normalizeMenuKey(text: string): string {
  return text.normalize('NFKC').trim().toLowerCase();
}

/** One entry: any of its keys gets its reply. */
export const autoReplyItemSchema = z.strictObject({
  /** Texts a follower may send, or custom-menu `EventKey`s, that get this reply. */
  keys: z
    .array(z.string().refine((key) => normalizeMenuKey(key) !== '', 'expected a non-empty key'))
    .min(1, 'expected at least one key, e.g. ["1"]'),
  /**
   * The text reply. About 2048 bytes is reported as the practical maximum of a passive reply
   * [unconfirmed, platforms.md §1.10]; it is not enforced here.
   */
  reply: z.string().min(1, 'expected the reply text'),
});

/** The auto-reply menu of one account (`accounts.wechat.autoReply` in the hall file). */
export const autoReplyMenuSchema = z
  .strictObject({
    items: z.array(autoReplyItemSchema).min(1, 'expected at least one item'),
    /** Sent for any text or click that matches no key: usually the list of numbers. */
    fallback: z.string().min(1, 'expected the menu text sent for unknown input'),
  })
  .superRefine((menu, context) => {
    const seen = new Map<string, number>();
    menu.items.forEach((item, itemIndex) => {
      item.keys.forEach((key, keyIndex) => {
        const normalized = normalizeMenuKey(key);
        const first = seen.get(normalized);
        if (first !== undefined && first !== itemIndex) {
          context.addIssue({
            code: 'custom',
            path: ['items', itemIndex, 'keys', keyIndex],
            message: `expected each key once, but "${key}" is also a key of items[${first}]`,
          });
        } else {
          seen.set(normalized, itemIndex);
        }
      });
    });
  });

/** A menu as written in the hall file. */
export type AutoReplyMenuInput = z.input<typeof autoReplyMenuSchema>;
/** A checked menu. */
export type AutoReplyMenu = z.output<typeof autoReplyMenuSchema>;

/**
 * Checks a menu from the hall file.
 * @param path where the menu is, for messages (e.g. `members[3].accounts.wechat.autoReply`)
 * @throws ReleaseHallError `INVALID_INPUT` listing every problem with its path.
 */
export function parseAutoReplyMenu(
  input: unknown,
  path: readonly PropertyKey[] = ['autoReply'],
): AutoReplyMenu {
  const result = autoReplyMenuSchema.safeParse(input);
  if (result.success) return result.data;
  const issues: InputIssue[] = result.error.issues.map((issue) => ({
    path: formatPath([...path, ...issue.path]),
    message: issue.message,
  }));
  throw invalidInput('WeChat auto-reply menu', issues);
}

function replyForKey(menu: AutoReplyMenu, key: string): string | undefined {
  const wanted = normalizeMenuKey(key);
  for (const item of menu.items) {
    if (item.keys.some((candidate) => normalizeMenuKey(candidate) === wanted)) return item.reply;
  }
  return undefined;
}

/**
 * The reply of the menu item a text or a `CLICK` `EventKey` matches; `undefined` when it matches
 * no item (the fallback would answer) or the message is neither.
 */
export function menuItemReply(menu: AutoReplyMenu, message: WechatMessage): string | undefined {
  if (message.kind === 'text') return replyForKey(menu, message.content);
  if (message.kind === 'click') return replyForKey(menu, message.eventKey);
  return undefined;
}

/**
 * The menu's answer to a message: the item reply for a text or a `CLICK` `EventKey` that
 * matches a key, the fallback (menu text) for anything else a follower sends or does.
 *
 * Returns `undefined` where no passive reply can reach a follower: the platform's job notices
 * (`MASSSENDJOBFINISH`, `PUBLISHJOBFINISH`) and `unsubscribe`.
 */
export function replyFor(menu: AutoReplyMenu, message: WechatMessage): string | undefined {
  switch (message.kind) {
    case 'text':
      return replyForKey(menu, message.content) ?? menu.fallback;
    case 'click':
      return replyForKey(menu, message.eventKey) ?? menu.fallback;
    case 'mass-send-job-finish':
    case 'publish-job-finish':
      return undefined;
    case 'other':
      return message.event === 'unsubscribe' ? undefined : menu.fallback;
  }
}
