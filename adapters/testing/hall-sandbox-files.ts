/**
 * What other processes need to use a hall's sandbox: the hall file's `platforms` pointing at it,
 * and the sandbox secrets of every account, as a credentials file holds them. Used by
 * `release-hall sandbox` and by tests that run the CLI against a sandbox of their own.
 */
import type { Account, Adapter, Credentials } from '#core';
import type { HallSandbox } from './hall-sandbox.js';

/**
 * The hall file's `platforms`: each platform the sandbox serves gets its base URL, and the
 * sandbox's settings over those `given` (the hall file's own `platforms`).
 */
export function sandboxPlatforms(
  sandbox: Pick<HallSandbox, 'baseURLs' | 'settings'>,
  given: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const platforms: Record<string, unknown> = { ...given };
  for (const [platform, baseURL] of Object.entries(sandbox.baseURLs)) {
    const own = (platforms[platform] ?? {}) as { settings?: Record<string, unknown> };
    platforms[platform] = {
      ...own,
      baseURL,
      settings: { ...own.settings, ...sandbox.settings[platform] },
    };
  }
  return platforms;
}

/**
 * The sandbox secrets of `accounts`, by credentials reference: the content of a credentials file.
 * Accounts whose platform has no adapter in `adapters` are left out.
 */
export async function sandboxSecrets(
  sandbox: Pick<HallSandbox, 'credentials'>,
  accounts: readonly Account[],
  adapters: readonly Adapter[],
): Promise<Record<string, Credentials>> {
  const secrets: Record<string, Credentials> = {};
  for (const account of accounts) {
    const adapter = adapters.find((candidate) => candidate.platform === account.platform);
    if (adapter === undefined) continue;
    const found = await sandbox.credentials({
      ref: account.credentials,
      account,
      fields: adapter.credentialFields,
    });
    if (found !== undefined) secrets[account.credentials] = { ...found };
  }
  return secrets;
}
