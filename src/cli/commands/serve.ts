/**
 * `release-hall serve`: the HTTP service for CMS backends over one hall. Each API key acts
 * through its own publisher (actor `api:<key id>`) sharing the one journal; SIGTERM or SIGINT
 * stops listening, stops the background runs cleanly and closes the journal. The WeChat accounts
 * with a callback token answer WeChat on `/wechat/<member id>` (docs/wechat-service.md).
 */
import {
  type Publisher,
  ReleaseHallError,
  createCredentialsResolver,
  createPublisher,
  readCredentialsFile,
  readDataFile,
  resolveHall,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { startHallSandbox } from 'release-hall/sandbox';
import { resolveApiKeys, resolveWechatCallbacks, startService } from 'release-hall/service';
import { buildAdapters } from '../build-adapters.js';
import type { ServeFlags } from '../flags.js';
import { journalPath } from '../open-publisher.js';

export async function serveCommand(flags: ServeFlags): Promise<number> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ReleaseHallError(
      `[release-hall] --port: expected a port number from 0 to 65535, got "${flags.port}"`,
      { code: 'INVALID_INPUT', issues: [{ path: 'port', message: 'expected 0 to 65535' }] },
    );
  }
  const hallData = await readDataFile(flags.hall, 'hall');
  const checked = resolveHall(hallData, buildAdapters(hallData));
  const credentialsFile = flags.credentials ?? (process.env.RELEASE_HALL_CREDENTIALS || undefined);
  if (credentialsFile !== undefined) {
    await readCredentialsFile(credentialsFile, {
      onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
    });
  }
  const fileOnly = createCredentialsResolver({
    ...(credentialsFile === undefined ? {} : { file: credentialsFile }),
    onWarning: () => undefined,
  });
  const keys = await resolveApiKeys(checked.hall.api, fileOnly);
  if (keys.length === 0) {
    process.stderr.write(
      'warning: the hall file names no API keys (api.keys): every /v1 route answers 401\n',
    );
  }
  const path = journalPath(flags);
  // A rehearsal (--sandbox) keeps its own journal beside the default one unless one is named.
  const journal = new SqliteJournal(
    flags.sandbox === true && flags.journal === undefined ? `${path}.sandbox` : path,
  );
  const sandbox = flags.sandbox === true ? await startHallSandbox(hallData) : undefined;
  try {
    const adapters = buildAdapters(hallData, sandbox);
    const credentials = createCredentialsResolver({
      ...(sandbox === undefined ? {} : { resolve: sandbox.credentials }),
      ...(credentialsFile === undefined ? {} : { file: credentialsFile }),
      onWarning: () => undefined,
    });
    const hall = resolveHall(hallData, adapters);
    const publisher = (actor: string): Publisher =>
      createPublisher({
        hall,
        adapters,
        journal,
        credentials,
        actor,
        sandbox: sandbox !== undefined,
      });
    const callbacks = await resolveWechatCallbacks(hall, credentials);
    for (const { message } of callbacks.unmounted) process.stderr.write(`warning: ${message}\n`);
    const service = await startService({
      publisher,
      keys,
      port,
      host: flags.host,
      wechat: {
        accounts: callbacks.accounts,
        adapters,
        credentials,
        ...(flags.crisis === undefined ? {} : { crisis: flags.crisis }),
      },
      // Webhook secrets are found where API keys are: the environment, then the credentials file.
      webhooks: { credentials: fileOnly },
      log: (message) => process.stderr.write(`${message}\n`),
    });
    process.stdout.write(`release-hall service listening on ${service.url}\n`);
    if (callbacks.accounts.length > 0) {
      process.stdout.write(
        `WeChat callbacks of ${callbacks.accounts.length} account(s) on ${service.url}/wechat/<member id>${flags.crisis === undefined ? '' : `, crisis mode for campaign ${flags.crisis}`}\n`,
      );
    }
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    process.stderr.write(`${signal}: stopping; running campaigns can be resumed later\n`);
    await service.close();
    return 0;
  } finally {
    await journal.close();
    await sandbox?.close();
  }
}
