import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../core/errors';

/**
 * The PagerDuty routing key, read from Secrets Manager (config `pagerDuty.secretName`): never an
 * environment variable, a template value or a log field. The secret holds the 32-character integration
 * key, as plain text or as JSON `{"routingKey": "…"}`. Cached for a few minutes so a rotation is picked up.
 */
export class SecretRoutingKey {
  private cached?: { readonly key: string; readonly until: number };
  private readonly client: SecretsManagerClient;
  private readonly cacheMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly secretId: string,
    options: {
      readonly client?: SecretsManagerClient;
      /** @default 300000 (5 minutes) */
      readonly cacheMs?: number;
      readonly clock?: () => number;
    } = {},
  ) {
    this.client = options.client ?? new SecretsManagerClient({});
    this.cacheMs = options.cacheMs ?? 5 * 60_000;
    this.clock = options.clock ?? Date.now;
  }

  async get(): Promise<string> {
    const now = this.clock();
    if (this.cached && now < this.cached.until) return this.cached.key;
    const result = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    const key = routingKeyOf(result.SecretString);
    this.cached = { key, until: now + this.cacheMs };
    return key;
  }
}

/** The key inside a secret's text; the error names the secret's shape, never its content. */
export function routingKeyOf(secret: string | undefined): string {
  let key = secret?.trim() ?? '';
  if (key.startsWith('{')) {
    try {
      const value = (JSON.parse(key) as { routingKey?: unknown }).routingKey;
      key = typeof value === 'string' ? value.trim() : '';
    } catch {
      key = '';
    }
  }
  if (!/^[A-Za-z0-9_-]{8,128}$/.test(key)) {
    throw new ConfigError(
      'the PagerDuty secret must hold the integration (routing) key, as text or as {"routingKey": "…"}',
      [{ path: 'pagerDuty.secretName', message: 'expected a routing key' }],
    );
  }
  return key;
}
