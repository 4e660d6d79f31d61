import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { TriageError, ValidationError } from '../core/errors';
import { issuesToFieldErrors } from '../core/normalize';
import { storedTokenScope, TOKEN_SCOPES, type TokenScope } from '../core/token-scope';

/** All tokens share one partition of the state table; the sort key is the sha256 hex of the token. */
const TOKEN_PK = 'token';
const TOKEN_PREFIX = 'fet_';
/** `fet_` + 32 random bytes in base64url (43 characters, no padding). */
const TOKEN_FORMAT = /^fet_[A-Za-z0-9_-]{43}$/;
const TOKEN_ID_LENGTH = 12;
/** Shortest id prefix `revoke` accepts, so a typo cannot match (and delete) some other token by accident. */
const MIN_REVOKE_PREFIX = 6;
/** Bounds the verify cache so random tokens sent by a scanner cannot grow it without limit. */
const MAX_CACHE_ENTRIES = 1000;

/** What is stored about a token (never the token, never shown with its full hash). */
export interface TokenRecord {
  /** First 12 hex characters of the token's sha256: what `token list` shows and `token revoke` takes. */
  readonly tokenId: string;
  readonly app: string;
  readonly account?: string;
  readonly label?: string;
  /** What the token may do; tokens stored before scopes existed read as `ingest`. */
  readonly scope: TokenScope;
  /** ISO-8601 UTC. */
  readonly createdAt: string;
}

/** Who a valid token speaks for, and what it may do. */
export interface TokenIdentity {
  readonly tokenId: string;
  readonly app: string;
  readonly account?: string;
  readonly scope: TokenScope;
}

export interface CreatedToken {
  /** The plaintext token: shown once, stored nowhere. */
  readonly token: string;
  readonly record: TokenRecord;
}

/** `revoke` found no token, or more than one, for the id given. */
export class TokenNotFoundError extends TriageError {
  override readonly name = 'TokenNotFoundError';
}

const name = (field: string, max: number) =>
  z
    .string({ error: `${field} must be a string` })
    .check(
      z.trim(),
      z.minLength(1, `${field} must not be empty`),
      z.maxLength(max, `${field} must be at most ${max} characters`),
    );

const buildCreateInputSchema = () =>
  z.object({
    app: name('app', 128),
    account: z.optional(name('account', 128)),
    label: z.optional(name('label', 256)),
    scope: z.optional(z.enum(TOKEN_SCOPES, { error: `scope must be one of ${TOKEN_SCOPES.join(', ')}` })),
  });
// Built on first use: only `token create` needs it, not the ingest function's cold start.
let createInputSchema: ReturnType<typeof buildCreateInputSchema> | undefined;

export type CreateTokenInput = z.input<ReturnType<typeof buildCreateInputSchema>>;

export interface TokenStoreOptions {
  readonly tableName: string;
  readonly documentClient?: DynamoDBDocumentClient;
  /** How long verify results (valid and invalid) are cached; 0 disables the cache. Default 60. */
  readonly cacheSeconds?: number;
  /** Epoch ms; for the cache only. */
  readonly clock?: () => number;
}

let defaultDocumentClient: DynamoDBDocumentClient | undefined;
function sharedDocumentClient(): DynamoDBDocumentClient {
  defaultDocumentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return defaultDocumentClient;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function isTokenFormat(token: string): boolean {
  return TOKEN_FORMAT.test(token);
}

function toRecord(item: Record<string, unknown>): TokenRecord {
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);
  const account = text(item.account);
  const label = text(item.label);
  return {
    tokenId: text(item.tokenId) ?? String(item.sk).slice(0, TOKEN_ID_LENGTH),
    app: text(item.app) ?? 'unknown',
    ...(account ? { account } : {}),
    ...(label ? { label } : {}),
    scope: storedTokenScope(item.scope),
    createdAt: text(item.createdAt) ?? '',
  };
}

/**
 * API tokens of the ingest webhook, kept in the state table as sha256 hashes, so the same store works
 * on AWS and on the local stack. Several tokens per app may be valid at once (rotation).
 */
export class TokenStore {
  readonly #tableName: string;
  readonly #client: DynamoDBDocumentClient;
  readonly #cacheMs: number;
  readonly #clock: () => number;
  readonly #cache = new Map<
    string,
    { readonly identity: TokenIdentity | undefined; readonly until: number }
  >();

  constructor(options: TokenStoreOptions) {
    this.#tableName = options.tableName;
    this.#client = options.documentClient ?? sharedDocumentClient();
    this.#cacheMs = Math.max(0, options.cacheSeconds ?? 60) * 1000;
    this.#clock = options.clock ?? Date.now;
  }

  /** Make a new token for an app; returns the plaintext once. */
  async create(input: CreateTokenInput, now: number | Date): Promise<CreatedToken> {
    createInputSchema ??= buildCreateInputSchema();
    const parsed = createInputSchema.safeParse(input);
    if (!parsed.success) {
      const details = issuesToFieldErrors('', parsed.error.issues);
      throw new ValidationError(`invalid token: ${details.map((d) => d.message).join('; ')}`, details);
    }
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const hash = hashToken(token);
    const record: TokenRecord = {
      tokenId: hash.slice(0, TOKEN_ID_LENGTH),
      app: parsed.data.app,
      ...(parsed.data.account ? { account: parsed.data.account } : {}),
      ...(parsed.data.label ? { label: parsed.data.label } : {}),
      scope: storedTokenScope(parsed.data.scope),
      createdAt: new Date(now).toISOString(),
    };
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: { pk: TOKEN_PK, sk: hash, ...record },
        // 256 random bits do not collide; the condition only guards against overwriting by mistake.
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { token, record };
  }

  /** Every token's record, oldest first. */
  async list(): Promise<TokenRecord[]> {
    return (await this.#stored()).map(({ record }) => record);
  }

  async #stored(): Promise<{ readonly sk: string; readonly record: TokenRecord }[]> {
    const stored: { sk: string; record: TokenRecord }[] = [];
    const pages = paginateQuery(
      { client: this.#client },
      {
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': TOKEN_PK },
        // Through a placeholder: DynamoDB reserves hundreds of plain words in expressions.
        ProjectionExpression: 'sk, tokenId, app, account, label, #scope, createdAt',
        ExpressionAttributeNames: { '#scope': 'scope' },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) stored.push({ sk: String(item.sk), record: toRecord(item) });
    }
    return stored.sort(
      (a, b) =>
        a.record.createdAt.localeCompare(b.record.createdAt) ||
        a.record.tokenId.localeCompare(b.record.tokenId),
    );
  }

  /**
   * Delete the one token whose id starts with `tokenIdOrPrefix` (at least 6 hex characters). Instances
   * that verified the token recently may accept it until their cache entry expires (TOKEN_CACHE_SECONDS).
   */
  async revoke(tokenIdOrPrefix: string): Promise<TokenRecord> {
    const prefix = tokenIdOrPrefix.trim().toLowerCase();
    if (!/^[0-9a-f]+$/.test(prefix) || prefix.length < MIN_REVOKE_PREFIX) {
      throw new ValidationError(
        `token id must be at least ${MIN_REVOKE_PREFIX} hex characters (as shown by \`token list\`), got "${tokenIdOrPrefix}"`,
        [{ path: 'tokenId', message: 'expected hex characters' }],
      );
    }
    const matches = (await this.#stored()).filter(({ record }) => record.tokenId.startsWith(prefix));
    const match = matches[0];
    if (!match) throw new TokenNotFoundError(`no token with id ${prefix}`);
    if (matches.length > 1) {
      throw new TokenNotFoundError(
        `${matches.length} tokens have ids starting with ${prefix} (${matches.map((m) => m.record.tokenId).join(', ')}); give more characters`,
      );
    }
    try {
      await this.#client.send(
        new DeleteCommand({
          TableName: this.#tableName,
          Key: { pk: TOKEN_PK, sk: match.sk },
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      throw new TokenNotFoundError(`token ${match.record.tokenId} was already revoked`, { cause: error });
    }
    this.#cache.delete(match.sk);
    return match.record;
  }

  /** Who the token speaks for, or undefined when it is malformed, unknown or revoked. */
  async verify(token: string): Promise<TokenIdentity | undefined> {
    if (!isTokenFormat(token)) return undefined;
    const hash = hashToken(token);
    const now = this.#clock();
    const cached = this.#cache.get(hash);
    if (cached && cached.until > now) return cached.identity;
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { pk: TOKEN_PK, sk: hash } }),
    );
    // The item was found by the hash, so it matches; the constant-time comparison keeps that true even if
    // the lookup were ever replaced by a scan or prefix match.
    const stored = typeof Item?.sk === 'string' ? Buffer.from(Item.sk, 'utf8') : undefined;
    const presented = Buffer.from(hash, 'utf8');
    const identity =
      Item && stored && stored.length === presented.length && timingSafeEqual(stored, presented)
        ? identityOf(toRecord(Item))
        : undefined;
    this.#remember(hash, identity, now);
    return identity;
  }

  #remember(hash: string, identity: TokenIdentity | undefined, now: number): void {
    if (this.#cacheMs === 0) return;
    if (this.#cache.size >= MAX_CACHE_ENTRIES) {
      for (const [key, entry] of this.#cache) if (entry.until <= now) this.#cache.delete(key);
      // Still full: drop the oldest entry (Map keeps insertion order).
      if (this.#cache.size >= MAX_CACHE_ENTRIES) {
        const oldest = this.#cache.keys().next().value;
        if (oldest !== undefined) this.#cache.delete(oldest);
      }
    }
    this.#cache.set(hash, { identity, until: now + this.#cacheMs });
  }
}

function identityOf(record: TokenRecord): TokenIdentity {
  return {
    tokenId: record.tokenId,
    app: record.app,
    ...(record.account ? { account: record.account } : {}),
    scope: record.scope,
  };
}
