/**
 * Synthetic halls for the benchmarks: a lead and any number of members on one platform, with
 * deterministic ids, handles, Weibo uids and sandbox tokens, so a benchmark process and a sandbox
 * process can build the same hall from its size alone.
 */
import type { HallInput, StatementInput } from 'release-hall';

/** The safe domain of every synthetic hall (Weibo's `statuses/share` needs a link on it). */
export const BENCH_DOMAIN = 'www.bench.gov.cn';

/** The `rip` the Weibo adapter and the bare loop send (a documentation address). */
export const BENCH_RIP = '203.0.113.10';

/** Options of {@link syntheticHall}. */
export interface SyntheticHallOptions {
  /** Accounts in the hall, the lead included. */
  readonly accounts: number;
  /** Platform of every account. @default 'weibo' */
  readonly platform?: string;
  /**
   * Also puts the accounts in groups of this many, `part-0`, `part-1`, … (in index order), so a
   * campaign can select one part.
   */
  readonly partSize?: number;
}

/** The group of the part holding account `index` (see {@link SyntheticHallOptions.partSize}). */
export function partOf(index: number, partSize: number): string {
  return `part-${Math.floor(index / partSize)}`;
}

/** Member id of account `index` (0 is the lead). */
export function memberIdOf(index: number): string {
  return index === 0 ? 'lead' : `m${index}`;
}

/** Weibo uid of account `index`: ten digits, unique. */
export function uidOf(index: number): string {
  return String(3_000_000_000 + index);
}

/** Credentials reference of account `index`. */
export function credentialsRefOf(index: number): string {
  return `bench-${index}`;
}

/**
 * The sandbox token of account `index`: distinct per account and of one length, as real tokens
 * are (Weibo's are `2.00` and 28 more characters).
 */
export function tokenOf(index: number): string {
  return `2.00${index.toString(36).padStart(8, '0')}bench5f0c8e1d2b7a4c9e`;
}

/** Index of the account a credentials reference names. */
function indexOfRef(ref: string): number {
  return Number(ref.slice('bench-'.length));
}

/** A credentials source for a synthetic hall: every account has its own token. */
export function syntheticCredentials({ ref }: { ref: string }): Record<string, string> {
  return { access_token: tokenOf(indexOfRef(ref)) };
}

/** A hall of one lead and `accounts - 1` members, alternating between two groups. */
export function syntheticHall(options: SyntheticHallOptions): HallInput {
  const platform = options.platform ?? 'weibo';
  const { partSize } = options;
  const members = Array.from({ length: options.accounts }, (_, index) => {
    const id = memberIdOf(index);
    const handle = index === 0 ? '基准发布' : `基准单位${index}`;
    return {
      id,
      name: index === 0 ? '基准市人民政府新闻办公室' : `基准市第${index}单位`,
      shortName: handle,
      groups: [
        index === 0 ? 'lead' : index % 2 === 0 ? 'bureaus' : 'districts',
        ...(partSize === undefined ? [] : [partOf(index, partSize)]),
      ],
      accounts: {
        [platform]: {
          handle,
          credentials: credentialsRefOf(index),
          ...(platform === 'weibo' ? { uid: uidOf(index) } : {}),
        },
      },
    };
  });
  return {
    id: 'bench',
    name: '基准发布厅',
    lead: 'lead',
    site: { domain: BENCH_DOMAIN },
    groups: [
      { id: 'lead', name: '牵头' },
      { id: 'bureaus', name: '委办局' },
      { id: 'districts', name: '区县' },
      ...(partSize === undefined
        ? []
        : Array.from({ length: Math.ceil(options.accounts / partSize) }, (_, part) => ({
            id: `part-${part}`,
            name: `第${part}部分`,
          }))),
    ],
    members,
  };
}

/** A short rebuttal with a link on the synthetic hall's domain; `variant` makes its text unique. */
export function benchStatement(variant = 0): StatementInput {
  return {
    id: `bench-${variant}`,
    kind: 'rebuttal',
    headline: `网传"基准市地铁今晚全线停运"不实（${variant}）`,
    body: '近日，网传本市地铁今晚全线停运。经核实，此为谣言。地铁各线路运营正常。',
    issuer: '基准市交通委员会',
    issuedAt: '2026-11-26T09:30:00+08:00',
    link: `https://${BENCH_DOMAIN}/rumor/${variant}.html`,
    rumor: '地铁今晚全线停运',
    facts: ['地铁各线路运营正常'],
    advice: '请勿信谣传谣，以官方发布为准。',
  };
}
