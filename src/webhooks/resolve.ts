/** The webhooks of a hall with their secrets resolved, as the API keys are. */
import { type CredentialsResolver, credentialsEnvName } from '../credentials.js';
import { type InputIssue, invalidInput } from '../errors.js';
import type { WebhookSettings } from '../model/hall.js';
import type { WebhookEndpoint } from './sender.js';
import { webhookSecretKey } from './signing.js';

/**
 * Resolves the secret of each webhook: the field `secret` of its credentials reference
 * (environment `RELEASE_HALL_CRED_<REF>__SECRET`, or the credentials file). Throws
 * `INVALID_INPUT` naming every webhook without a usable secret (never a secret).
 */
export async function resolveWebhooks(
  webhooks: readonly WebhookSettings[] | undefined,
  credentials: CredentialsResolver,
): Promise<WebhookEndpoint[]> {
  const endpoints: WebhookEndpoint[] = [];
  const issues: InputIssue[] = [];
  for (const [index, webhook] of (webhooks ?? []).entries()) {
    const path = `webhooks[${index}].secret`;
    let secret: string | undefined;
    try {
      const found = await credentials.resolve(
        {
          id: `webhook/${webhook.id}`,
          memberId: webhook.id,
          platform: 'webhook',
          handle: webhook.id,
          credentials: webhook.secret,
          settings: {},
        },
        ['secret'],
      );
      secret = found.secret;
    } catch {
      issues.push({
        path,
        message: `no secret for webhook "${webhook.id}": set ${credentialsEnvName(webhook.secret, 'secret')}, or add "${webhook.secret}" with "secret" to the credentials file`,
      });
      continue;
    }
    try {
      webhookSecretKey(secret ?? '');
    } catch {
      issues.push({
        path,
        message: `the secret of webhook "${webhook.id}" is not "whsec_" and base64 of at least 16 bytes: make one with \`node -e "console.log('whsec_' + crypto.randomBytes(32).toString('base64'))"\``,
      });
      continue;
    }
    endpoints.push({
      id: webhook.id,
      url: webhook.url,
      secret: secret!,
      timeoutMs: webhook.timeoutMs,
      retry: webhook.retry,
    });
  }
  if (issues.length > 0) throw invalidInput('webhooks', issues);
  return endpoints;
}
