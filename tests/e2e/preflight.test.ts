/**
 * The pre-flight over the three sandboxes: a campaign whose WeChat cover WeChat would refuse (a
 * PNG, too large, missing) is refused before any platform hears a single request, so Weibo and
 * Tencent do not speak while WeChat stays silent. Dry run and preview list the same problems.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReleaseHallError, createPublisher } from 'release-hall';
import { type HallSandbox, startHallSandbox } from 'release-hall/sandbox';
import { buildAdapters } from '../../src/cli/build-adapters.js';
import { beijingHall, beijingRebuttal } from '../helpers/beijing.js';
import { fastRetry } from '../helpers/fixtures.js';

let sandbox: HallSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const dir = mkdtempSync(join(tmpdir(), 'rh-preflight-'));
const png = join(dir, 'cover.png');
writeFileSync(png, Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(200, 7)]));
const bigJpeg = join(dir, 'big.jpg');
writeFileSync(bigJpeg, Buffer.concat([Buffer.from('ffd8ffe0', 'hex'), Buffer.alloc(70 * 1024, 1)]));
const notAFile = dir;

async function setUp(): Promise<{
  publish: (images: string[], dryRun?: boolean) => Promise<unknown>;
  preview: (images: string[]) => Promise<readonly { path: string; message: string }[]>;
  requests: () => number;
}> {
  const hall = await beijingHall(['weibo', 'tencent', 'wechat']);
  sandbox = await startHallSandbox(hall);
  const running = sandbox;
  const publisher = createPublisher({
    hall,
    adapters: buildAdapters(hall, running),
    credentials: running.credentials,
    retry: fastRetry,
  });
  const statement = await beijingRebuttal();
  const selection = { members: ['beijing-fabu', 'haidian'] };
  return {
    publish: (images, dryRun = false) =>
      publisher
        .publish({ ...statement, images }, { mode: 'original', selection, dryRun })
        .catch((error: unknown) => error),
    preview: async (images) =>
      (await publisher.preview({ ...statement, images }, { mode: 'original', selection })).refusals,
    requests: () =>
      running.weibo.platform.requests().length +
      (running.tencent?.platform.requests().length ?? 0) +
      (running.wechat?.platform.requests().length ?? 0),
  };
}

describe('the pre-flight refuses a campaign WeChat would refuse, before anyone speaks', () => {
  it.each([
    ['a PNG cover', png, /must be a JPEG, this is a PNG: save the cover as a JPEG/],
    ['a 70 KB cover', bigJpeg, /must be at most 64 KB, this is 71 KB/],
    ['a folder for a cover', notAFile, /cannot read the image file/],
    ['a cover that does not exist', join(dir, 'nope.jpg'), /cannot read the image file/],
  ])(
    '%s: exit before any request, the problem named with its path',
    async (_what, image, message) => {
      const { publish, preview, requests } = await setUp();
      const refused = await publish([image]);
      expect(ReleaseHallError.isInstance(refused)).toBe(true);
      const error = refused as ReleaseHallError;
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.issues?.map((issue) => issue.path)).toContain('images[0]');
      expect(error.issues?.find((issue) => issue.path === 'images[0]')?.message).toMatch(message);
      expect(requests()).toBe(0);

      const dryRun = (await publish([image], true)) as ReleaseHallError;
      expect(dryRun.issues).toEqual(error.issues);
      expect(await preview([image])).toEqual(error.issues);
      expect(requests()).toBe(0);
    },
  );

  it('a good cover goes through and every platform speaks once per account', async () => {
    const { publish, preview } = await setUp();
    const withoutCover = await preview([]);
    expect(withoutCover.map((issue) => issue.path)).toEqual(['images[0]']);
    expect(withoutCover[0]?.message).toContain('a WeChat article needs a cover');
    const cover = join(dir, 'good.jpg');
    writeFileSync(cover, Buffer.concat([Buffer.from('ffd8ffe0', 'hex'), Buffer.alloc(1024, 2)]));
    expect(await preview([cover])).toEqual([]);
    const report = (await publish([cover])) as { counts: { succeeded: number; total: number } };
    expect(report.counts).toMatchObject({ total: 6, succeeded: 6 });
  });
});
