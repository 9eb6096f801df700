/**
 * The shape of an emergency template file: its kind, a title, the fields a press office fills in,
 * and the statement it produces with `{{field}}` placeholders.
 */
import { z } from 'zod';

/** The checks a field's value can get. */
export const EMERGENCY_FIELD_TYPES = [
  'text',
  'number',
  'integer',
  'time',
  'url',
  'choice',
] as const;

/** A type from {@link EMERGENCY_FIELD_TYPES}. */
export type EmergencyFieldType = (typeof EMERGENCY_FIELD_TYPES)[number];

/** A field name, also the `{{name}}` of its placeholder. */
export const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
/** A template kind, also its file name (`earthquake.yaml`). */
export const TEMPLATE_KIND = /^[a-z][a-z0-9-]{0,39}$/;

/** A value written in a YAML file: `5.2` reads as a number, so numbers are taken as their text. */
const written = z.union([z.string(), z.number()]).transform((value) => String(value));

const fieldSchema = z.strictObject({
  name: z.string().regex(FIELD_NAME, 'expected a letter, then letters, digits or "_", at most 40'),
  /** What to write, in the press office's words (shown when the field is missing). */
  description: z.string().min(1),
  /** @default true */
  required: z.boolean().default(true),
  /** @default 'text' */
  type: z.enum(EMERGENCY_FIELD_TYPES).default('text'),
  /** A value that passes the check: shown with every refusal, and used by the tests. */
  example: written,
  /** The value of an optional field nobody gave; `now` for a `time` field is the time of filling. */
  default: written.optional(),
  /** `choice`: the values taken. */
  choices: z.array(written).min(1).optional(),
  /** `number` / `integer`: the bounds, inclusive. */
  min: z.number().optional(),
  max: z.number().optional(),
  /** `text`: the most characters. @default 200 */
  maxLength: z.number().int().min(1).max(5000).optional(),
});

/** A statement value with placeholders: text, a list of texts, or a number (e.g. `sequence`). */
const statementValue = z.union([z.string(), z.array(z.string()), z.number()]);

/** An emergency template file, as written. */
export const emergencyTemplateSchema = z.strictObject({
  kind: z.string().regex(TEMPLATE_KIND, 'expected lower-case letters, digits and "-"'),
  /** What the template is for, e.g. 地震信息发布. */
  title: z.string().min(1),
  /** A line more about when to use it. */
  description: z.string().min(1).optional(),
  fields: z.array(fieldSchema).min(1),
  /** The statement produced, with `{{field}}` placeholders (see docs/statements.md for the fields). */
  statement: z.record(z.string(), statementValue),
});

/** One field of a template, checked. */
export type EmergencyTemplateField = z.output<typeof fieldSchema>;

/** A checked emergency template. */
export type EmergencyTemplate = z.output<typeof emergencyTemplateSchema> & {
  /** Where it was read from, when it came from a file. */
  readonly source?: string;
};
