import { z } from 'zod';
import { lintSettingsSchema } from '../lint/lint-settings.js';
import { safeText } from './text.js';
import { WEBHOOK_EVENT_TYPES } from '../webhooks/types.js';

/** Identifiers of members, groups and tags: lower-case letters, digits and dashes. */
export const idSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,63}$/,
    'expected an id of lower-case letters, digits and dashes (e.g. "haidian")',
  );

/** A credentials reference: the name under which the secret is looked up, never the secret. */
export const credentialsRefSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    'expected a credentials reference name of letters, digits, ".", "_" or "-" (the secret itself goes in the environment or the credentials file)',
  );

/**
 * One platform identity of a member, as written in the hall file. The common fields are checked
 * here; platform fields (a Weibo `uid`, a WeChat `appid`) are checked by the platform's adapter.
 */
export const accountInputSchema = z
  .object({
    /** The screen name / account name shown to followers. */
    handle: safeText(100),
    /** Reference to the credentials, resolved at call time. */
    credentials: credentialsRefSchema,
    /** WeChat account kind. */
    kind: z.enum(['subscription', 'service']).optional(),
  })
  .catchall(z.unknown());

/** Rate limits of one platform, overridable in the hall file. */
export const limitsOverrideSchema = z.strictObject({
  /** Requests to the platform in flight at once across all accounts. */
  platformConcurrency: z.number().int().min(1).max(1000).optional(),
  /** Posts per account per window. */
  postsPerWindow: z
    .number()
    .int()
    .min(1)
    .max(100_000, 'expected at most 100000 posts per window')
    .optional(),
  /** Length of the per-account window in milliseconds (at most 31 days). */
  windowMs: z
    .number()
    .int()
    .min(1)
    .max(31 * 86_400_000, 'expected a window of at most 31 days (2678400000 ms)')
    .optional(),
  /** Per-request timeout in milliseconds (100 ms to 10 minutes). */
  requestTimeoutMs: z
    .number()
    .int()
    .min(100)
    .max(
      600_000,
      'expected a timeout of at most 600000 ms (10 minutes): a longer wait is not a timeout',
    )
    .optional(),
});

/** Platform settings of a hall: where the platform is reached and adapter settings. */
export const platformSettingsSchema = z.strictObject({
  /** Base URL of the platform API, e.g. a government network gateway or a sandbox. */
  baseURL: z
    .url({ protocol: /^https?$/, message: 'expected an absolute http(s) URL' })
    .refine((url) => {
      const parsed = new URL(url);
      return parsed.username === '' && parsed.password === '';
    }, 'a base URL must not carry a user name or password: give credentials through the credentials file or the environment')
    .optional(),
  limits: limitsOverrideSchema.optional(),
  /** Adapter-specific settings (Weibo: `mode`, `rip`). */
  settings: z.record(z.string(), z.unknown()).optional(),
});

/** Days without a post after which `release-hall check` calls an account dormant, by default. */
export const DEFAULT_DORMANT_DAYS = 30;

/**
 * What `release-hall check` holds the accounts to (docs/check.md): how long an account may go
 * without posting, and the rule its screen name must follow.
 */
export const checkSettingsSchema = z.strictObject({
  /** Days without a post after which an account counts as dormant. */
  dormantDays: z
    .number()
    .int()
    .min(1, 'expected at least 1 day')
    .max(3650, 'expected at most 3650 days')
    .default(DEFAULT_DORMANT_DAYS),
  /**
   * The rule every account's screen name (or handle) must follow: `prefix` (it starts with this
   * text, e.g. "北京") or `pattern` (a regular expression it matches, e.g. "^北京|发布$").
   */
  naming: z
    .strictObject({
      prefix: z.string().min(1).optional(),
      pattern: z
        .string()
        .min(1)
        .refine((source) => {
          try {
            new RegExp(source, 'u');
            return true;
          } catch {
            return false;
          }
        }, 'expected a regular expression, e.g. "^北京"')
        .optional(),
    })
    .refine((naming) => naming.prefix !== undefined || naming.pattern !== undefined, {
      message: 'expected "prefix" or "pattern"',
    })
    .optional(),
});

/** The `check` settings of a hall. */
export type CheckSettings = z.output<typeof checkSettingsSchema>;

/** Hours an inbox item may wait for an answer, unless the hall file says otherwise. */
export const DEFAULT_REPLY_DEADLINE_HOURS = 24;

/** How the hall treats what citizens leave on its accounts (docs/inbox.md). */
export const inboxSettingsSchema = z.strictObject({
  /**
   * Hours an inbox item may wait for an answer: `inbox list` flags an unanswered item older than
   * this `OVERDUE`, and the scorecard counts it. Fractions are allowed (0.5 = 30 minutes).
   */
  replyDeadlineHours: z
    .number({ error: 'expected a number of hours, e.g. 24' })
    .positive('expected more than 0 hours')
    .max(24 * 365, 'expected at most a year (8760 hours)')
    .default(DEFAULT_REPLY_DEADLINE_HOURS),
});

/** The `inbox` settings of a hall. */
export type InboxSettings = z.output<typeof inboxSettingsSchema>;

/** One organisation in the hall. */
export const memberSchema = z.strictObject({
  id: idSchema,
  /** Full name, e.g. 北京市公安局. */
  name: safeText(200),
  /** Short name used in the prefix, e.g. 平安北京. Defaults to the weibo handle or the name. */
  shortName: safeText(100).optional(),
  groups: z.array(idSchema).default([]),
  tags: z.array(z.string().min(1)).default([]),
  /** Text put before every rendition of this member, e.g. 【海淀发布】. Overrides the hall's naming rule. */
  prefix: safeText(100, 0).optional(),
  /** Text put at the end of every rendition of this member. */
  signOff: safeText(500, 0).optional(),
  accounts: z.record(z.string(), accountInputSchema),
});

/** How many approvals a statement of one urgency needs, and how soon a crisis one is reviewed. */
const approvalRuleSchema = z.union([
  z.number().int().min(0).max(10),
  z.strictObject({
    approvals: z.number().int().min(0).max(10),
    /** A statement sent on fewer approvals is reviewed within this many hours (recorded, shown). */
    reviewWithinHours: z.number().positive().max(720).optional(),
  }),
]);

/** A public key as text: PEM, or base64 of its SPKI DER (what `release-hall keygen` prints). */
const publicKeyText = z
  .string()
  .min(40, 'expected the public key "release-hall keygen" printed (base64, or PEM)');

/**
 * Who approves statements before they go out (先审后发), and how many approvals each urgency needs.
 * Without this block the hall asks for none.
 */
export const approvalsSchema = z
  .strictObject({
    approvers: z
      .array(
        z.strictObject({
          id: idSchema,
          name: z.string().min(1),
          /** Verifies the approver's signatures. Public: it may sit in the hall file. */
          publicKey: publicKeyText,
          /** Credentials reference of the approver's private key (field `privateKey`), for `approve`. */
          key: z.string().min(1).optional(),
        }),
      )
      .min(1, 'expected at least one approver'),
    policy: z
      .strictObject({
        routine: approvalRuleSchema.default(2),
        urgent: approvalRuleSchema.default(1),
        crisis: approvalRuleSchema.default({ approvals: 1, reviewWithinHours: 24 }),
      })
      .default({ routine: 2, urgent: 1, crisis: { approvals: 1, reviewWithinHours: 24 } }),
  })
  .superRefine((approvals, context) => {
    const seen = new Set<string>();
    approvals.approvers.forEach((approver, index) => {
      if (seen.has(approver.id)) {
        context.addIssue({
          code: 'custom',
          path: ['approvers', index, 'id'],
          message: `approver "${approver.id}" is listed twice: give each approver one entry`,
        });
      }
      seen.add(approver.id);
    });
    for (const urgency of ['routine', 'urgent', 'crisis'] as const) {
      const rule = approvals.policy[urgency];
      const needed = typeof rule === 'number' ? rule : rule.approvals;
      if (needed > approvals.approvers.length) {
        context.addIssue({
          code: 'custom',
          path: ['policy', urgency],
          message: `${needed} approvals needed but only ${approvals.approvers.length} approvers listed: add approvers or lower the number`,
        });
      }
    }
  });

/** The approvals block of a hall. */
export type ApprovalsSettings = z.output<typeof approvalsSchema>;

/** Minutes a deadline allows: at most 30 days. */
const deadlineMinutes = z.number().int().min(1).max(43_200);

/**
 * Response deadlines per statement urgency, in minutes from the statement's `eventAt` or
 * `detectedAt` (the earlier) to each account's first live post. The defaults follow the State
 * Council General Office's 2016 notice on responding to government-affairs public opinion
 * (国办发〔2016〕61号) as commonly cited: authoritative information within 5 hours of a major
 * emergency, a response to a public concern within 24 to 48 hours.
 */
export const deadlinesSchema = z
  .strictObject({
    routine: deadlineMinutes.default(2_880),
    urgent: deadlineMinutes.default(1_440),
    crisis: deadlineMinutes.default(300),
  })
  .default({ routine: 2_880, urgent: 1_440, crisis: 300 });

/** The response deadlines of a hall, in minutes per urgency. */
export type Deadlines = z.output<typeof deadlinesSchema>;

/**
 * Who may call the HTTP service and with what role (`release-hall serve`, docs/service.md).
 * `operator` can do all an `editor` can, and an `editor` all a `viewer` can; an `approver` can
 * read (as a viewer) and approve, nothing else.
 */
export const API_ROLES = ['viewer', 'editor', 'approver', 'operator'] as const;

/** The API keys of a hall: each names a credentials reference whose field `key` holds the secret. */
export const apiSettingsSchema = z.strictObject({
  keys: z
    .array(
      z.strictObject({
        /** Names the key in the audit trail (`api:<id>`), never the secret. */
        id: idSchema,
        role: z.enum(API_ROLES),
        /** Credentials reference; its field `key` holds the secret API key. */
        credentials: credentialsRefSchema,
      }),
    )
    .superRefine((keys, context) => {
      const seen = new Set<string>();
      keys.forEach((key, index) => {
        if (seen.has(key.id)) {
          context.addIssue({
            code: 'custom',
            path: [index, 'id'],
            message: `API key "${key.id}" is listed twice: give each key one entry`,
          });
        }
        seen.add(key.id);
      });
    }),
});

/** The `api` section of a hall. */
export type ApiSettings = z.output<typeof apiSettingsSchema>;

/** Host names that are this machine: the only ones a webhook may reach over plain `http`. */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

/** One webhook endpoint: where the hall's events are sent, signed with its secret. */
export const webhookSchema = z.strictObject({
  /** Names the endpoint (in `GET /v1/webhooks` and the logs). */
  id: idSchema,
  /** Where events are POSTed: `https`, or `http` to a loopback host only. */
  url: z
    .url({ protocol: /^https?$/, message: 'expected an absolute https URL' })
    .superRefine((url, context) => {
      const parsed = new URL(url);
      if (parsed.username !== '' || parsed.password !== '') {
        context.addIssue({
          code: 'custom',
          message:
            'a webhook URL must not carry a user name or password: events are signed with the webhook secret instead',
        });
      }
      if (parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname)) {
        context.addIssue({
          code: 'custom',
          message: `plain http is allowed only to this machine (localhost, 127.0.0.1, ::1): use https://${parsed.host}${parsed.pathname}`,
        });
      }
    }),
  /** The events sent to it (`inbox.item`: each inbox item when first stored; docs/webhooks.md). */
  events: z
    .array(z.enum(WEBHOOK_EVENT_TYPES))
    .min(1, `expected at least one event: ${WEBHOOK_EVENT_TYPES.join(', ')}`),
  /**
   * Credentials reference; its field `secret` holds the signing secret, `whsec_` and base64 (e.g.
   * `whsec_$(openssl rand -base64 32)`).
   */
  secret: credentialsRefSchema,
  /** How long one request may take before it counts as failed. @default 10000 */
  timeoutMs: z.number().int().min(100).max(120_000).optional(),
  /**
   * The wait before the first retry, doubled at each failure up to `maxDelayMs`, with jitter.
   * Short waits are for tests.
   */
  retry: z
    .strictObject({
      /** @default 5000 */
      firstDelayMs: z.number().int().min(1).max(3_600_000).optional(),
      /** @default 3600000 (one hour) */
      maxDelayMs: z.number().int().min(1).max(86_400_000).optional(),
    })
    .optional(),
});

/** The `webhooks` of a hall: ids must differ. */
export const webhooksSchema = z.array(webhookSchema).superRefine((webhooks, context) => {
  const seen = new Set<string>();
  webhooks.forEach((webhook, index) => {
    if (seen.has(webhook.id)) {
      context.addIssue({
        code: 'custom',
        path: [index, 'id'],
        message: `webhook "${webhook.id}" is listed twice: give each endpoint its own id`,
      });
    }
    seen.add(webhook.id);
  });
});

/** One webhook of a hall, as validated. */
export type WebhookSettings = z.output<typeof webhookSchema>;

/** A named cluster of members. */
export const hallSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1),
  /** Member id of the lead (the account whose post the others relay). */
  lead: idSchema,
  /** The hall's own site: full-text links live there; Weibo's share call requires its domain. */
  site: z
    .strictObject({
      /** The registered safe domain, e.g. `www.beijing.gov.cn`. */
      domain: z
        .string()
        .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'expected a domain name such as "www.beijing.gov.cn"'),
    })
    .optional(),
  /** How a member's prefix is made when it has none: `{short}` is replaced by its short name. */
  naming: z
    .strictObject({ prefix: z.string().default('【{short}】') })
    .default({ prefix: '【{short}】' }),
  groups: z.array(z.strictObject({ id: idSchema, name: z.string().min(1) })).default([]),
  platforms: z.record(z.string(), platformSettingsSchema).default({}),
  /** What `release-hall check` holds the accounts to. */
  check: checkSettingsSchema.default({ dormantDays: DEFAULT_DORMANT_DAYS }),
  /** How long citizens' comments and messages may wait for an answer. */
  inbox: inboxSettingsSchema.default({ replyDeadlineHours: DEFAULT_REPLY_DEADLINE_HOURS }),
  members: z.array(memberSchema).min(1, 'expected at least one member'),
  approvals: approvalsSchema.optional(),
  deadlines: deadlinesSchema,
  /**
   * The hall's own lint settings: phrases discouraged on top of the built-in list, rules switched
   * off, rules with another severity. Every statement linted for the hall is linted with them.
   */
  lint: lintSettingsSchema.optional(),
  /** Keys and roles of the HTTP service (`release-hall serve`). */
  api: apiSettingsSchema.optional(),
  /** Signed webhooks sent to the CMS (`release-hall serve`; docs/webhooks.md). */
  webhooks: webhooksSchema.optional(),
});

/** A hall file as written. */
export type HallInput = z.input<typeof hallSchema>;
/** A validated hall. */
export type Hall = z.output<typeof hallSchema>;
/** A validated member. */
export type Member = z.output<typeof memberSchema>;
/** Rate-limit overrides. */
export type LimitsOverride = z.output<typeof limitsOverrideSchema>;
/** Platform settings of a hall. */
export type PlatformSettings = z.output<typeof platformSettingsSchema>;

/** One platform identity of a member, resolved from the hall. */
export interface Account {
  /** `memberId/platform`, unique in the hall. */
  readonly id: string;
  readonly memberId: string;
  readonly platform: string;
  readonly handle: string;
  /** Credentials reference (never the secret). */
  readonly credentials: string;
  readonly kind?: 'subscription' | 'service';
  /** Platform fields checked by the adapter's `accountSchema` (e.g. `uid`). */
  readonly settings: Readonly<Record<string, unknown>>;
}

/** The account id of a member on a platform. */
export function accountId(memberId: string, platform: string): string {
  return `${memberId}/${platform}`;
}
