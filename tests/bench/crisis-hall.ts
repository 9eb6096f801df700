/**
 * A synthetic hall for the `crisis` scenario: a lead and any number of members, each with a Weibo,
 * a Tencent Weibo and a WeChat account, shaped like the Beijing hall (its site, its platform
 * settings) so the Beijing rebuttal renders for every account. Ids are deterministic; the sandbox
 * process reads the same file.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memberIdOf, uidOf } from './synthetic-hall.js';

/** A fixed-width lower-case hex rendering of `index`. */
function hex(index: number, width: number): string {
  return index.toString(16).padStart(width, '0');
}

/** The WeChat appid of account `index`: `wx` and 16 hex digits. */
export function crisisAppidOf(index: number): string {
  return `wx${hex(0xc0ffee000000 + index, 16)}`;
}

/** The Tencent openid of account `index`: 32 upper-case hex digits. */
export function crisisOpenidOf(index: number): string {
  return hex(0xbe0000 + index, 32).toUpperCase();
}

/**
 * A hall of `accounts` members (the lead included) on all three platforms, with the Beijing hall's
 * `site` and `platforms` blocks.
 */
export function crisisHall(
  accounts: number,
  beijing: { site?: unknown; platforms?: unknown },
): Record<string, unknown> {
  const members = Array.from({ length: accounts }, (_, index) => {
    const lead = index === 0;
    const short = lead ? '基准发布' : `基准单位${index}`;
    return {
      id: memberIdOf(index),
      name: lead ? '基准市人民政府新闻办公室' : `基准市第${index}单位`,
      shortName: short,
      groups: [lead ? 'lead' : index % 2 === 0 ? 'bureaus' : 'districts'],
      accounts: {
        weibo: { handle: short, uid: uidOf(index), credentials: `weibo-${index}` },
        wechat: { handle: short, appid: crisisAppidOf(index), credentials: `wechat-${index}` },
        tencent: {
          handle: `unit${index}`,
          openid: crisisOpenidOf(index),
          credentials: `tencent-${index}`,
        },
      },
    };
  });
  return {
    id: 'crisis',
    name: '基准发布厅',
    lead: memberIdOf(0),
    site: beijing.site,
    groups: [
      { id: 'lead', name: '牵头' },
      { id: 'bureaus', name: '委办局' },
      { id: 'districts', name: '区县' },
    ],
    platforms: beijing.platforms,
    members,
  };
}

/** Writes a hall to a new temporary directory and returns the file's path. */
export function writeHallFile(hall: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'release-hall-crisis-')), 'hall.json');
  writeFileSync(path, JSON.stringify(hall));
  return path;
}
