import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { SQSRecord } from 'aws-lambda';
import type { TriageEvent } from '../../functions/core/event';
import { parseQueueMessage } from '../../functions/core/queue-message';
import type { Infrastructure } from './in-process-pipeline';

const PERSISTENT = new Set([502, 503, 504, 520]);
const ACCOUNT = new Set([401, 402, 403, 412]);

/**
 * The naive design the issue compares against: a triage function that handles events one by one — one
 * DynamoDB UpdateItem per event (count, first/last seen of its scope) and one SNS publish per event that
 * meets a rule (every 500; a 5xx once its scope has ≥ 5 errors over ≥ 2 minutes; every account error).
 * No batching by scope, no state machine: the design docs/design.md ("Exactly once", "Data flow") rules out.
 */
export function naiveTriage(infra: Infrastructure) {
  return async (records: SQSRecord[]) => {
    for (const record of records) {
      const { receivedAt, events } = parseQueueMessage(record.body);
      for (const event of events) await naiveEvent(infra, event, receivedAt);
    }
    return { batchItemFailures: [] };
  };
}

function scopeOf(event: TriageEvent): string {
  return `${event.status >= 500 ? '5xx' : event.status}#${event.model ?? event.endpoint ?? ''}#${event.account ?? ''}`;
}

async function naiveEvent(infra: Infrastructure, event: TriageEvent, receivedAt: number): Promise<void> {
  const t = event.occurredAt ? Date.parse(event.occurredAt) : receivedAt;
  const updated = await infra.clients.dynamodb.send(
    new UpdateItemCommand({
      TableName: infra.tableName,
      Key: { pk: { S: `naive#${scopeOf(event)}` }, sk: { S: 'counter' } },
      UpdateExpression: 'ADD #count :one SET #first = if_not_exists(#first, :t), #last = :t',
      ExpressionAttributeNames: { '#count': 'count', '#first': 'firstSeen', '#last': 'lastSeen' },
      ExpressionAttributeValues: { ':one': { N: '1' }, ':t': { N: String(t) } },
      ReturnValues: 'ALL_NEW',
    }),
  );
  const item = updated.Attributes ?? {};
  const count = Number(item.count?.N ?? 0);
  const span = Number(item.lastSeen?.N ?? 0) - Number(item.firstSeen?.N ?? 0);
  const notify =
    event.status === 500 ||
    ACCOUNT.has(event.status) ||
    (PERSISTENT.has(event.status) && count >= 5 && span >= 120_000);
  if (!notify) return;
  await infra.clients.sns.send(
    new PublishCommand({
      TopicArn: ACCOUNT.has(event.status) ? infra.topics.account : infra.topics.support,
      Message: JSON.stringify({
        status: event.status,
        model: event.model,
        account: event.account,
        count,
        event,
      }),
      Subject: `Fireworks ${event.status} on ${event.model ?? event.endpoint ?? 'unknown'}`,
    }),
  );
}
