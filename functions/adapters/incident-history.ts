import {
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { type IncidentView, incidentSortKey } from '../core/incidents';
import { HISTORY_PARTITION } from '../shared/table-layout';
import { createDocumentClient } from './state-repository';

/** The partition of resolved incidents and account issues; sk = `<lastSeen ISO>#<subjectId>`. */
export const HISTORY_PK = HISTORY_PARTITION;
/** How long a resolved incident stays listed (DynamoDB TTL). */
export const HISTORY_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;
/** Items per Query page when listing. */
const PAGE_SIZE = 100;

export interface IncidentHistoryOptions {
  readonly tableName: string;
  readonly documentClient?: DynamoDBDocumentClient;
}

/**
 * Resolved incidents and account issues, kept for the read API (docs/design.md, "Read API"): a scope
 * record forgets its subject when it resolves, so the resolve writes a summary here. One small item per
 * resolve, put idempotently (a retried resolve writes the same key and content).
 */
export class IncidentHistory {
  readonly #tableName: string;
  readonly #client: DynamoDBDocumentClient;

  constructor(options: IncidentHistoryOptions) {
    this.#tableName = options.tableName;
    this.#client = options.documentClient ?? createDocumentClient();
  }

  async record(view: IncidentView, now: number): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: {
          pk: HISTORY_PK,
          sk: incidentSortKey(view),
          view: JSON.stringify(view),
          expiresAt: Math.floor((now + HISTORY_RETENTION_MS) / 1000),
        },
      }),
    );
  }

  /**
   * Resolved incidents older than the sort key `before` (all when undefined), newest first, until `wanted`
   * of them pass `keep` or there are no more; `more` says whether older ones remain unread.
   */
  async resolved(
    before: string | undefined,
    wanted: number,
    keep: (view: IncidentView) => boolean,
  ): Promise<{ readonly views: IncidentView[]; readonly more: boolean }> {
    const views: IncidentView[] = [];
    let startKey: Record<string, NativeAttributeValue> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: before === undefined ? 'pk = :pk' : 'pk = :pk AND sk < :before',
          ExpressionAttributeValues: {
            ':pk': HISTORY_PK,
            ...(before === undefined ? {} : { ':before': before }),
          },
          ScanIndexForward: false,
          Limit: PAGE_SIZE,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const view = parseView(item.view);
        if (view && keep(view)) views.push(view);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && views.length < wanted);
    return { views, more: startKey !== undefined };
  }
}

function parseView(value: unknown): IncidentView | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value) as IncidentView;
  } catch {
    return undefined;
  }
}
