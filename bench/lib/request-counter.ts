import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { meteredUnits, SQS_SNS_METERING_BYTES } from './cost';

/** The sparse GSI attribute: an item is in `due-index` exactly when it has it (contracts). */
const INDEX_ATTRIBUTE = 'dueShard';

type Item = Record<string, AttributeValue>;
type Input = Record<string, unknown>;
type Output = Record<string, unknown> & {
  ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[];
};

const DYNAMO_WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
]);
const DYNAMO_CAPACITY = new Set([
  ...DYNAMO_WRITES,
  'GetItemCommand',
  'BatchGetItemCommand',
  'QueryCommand',
  'ScanCommand',
]);

/**
 * Counts the AWS requests real SDK clients make, by service and command, in the units AWS bills. Attached as
 * an SDK middleware, so the production adapters run unchanged. DynamoDB capacity comes from the emulator's
 * ConsumedCapacity (requested by the middleware; dynalite computes the table's share), plus the writes of
 * the sparse `due-index`, which dynalite does not report.
 */
export class RequestCounter {
  readonly calls = new Map<string, number>();
  sqsUnits = 0;
  snsPublishUnits = 0;
  dynamoWriteRequests = 0;
  dynamoWru = 0;
  dynamoRru = 0;
  dynamoIndexWru = 0;
  /** Keys whose item is in the sparse index now, with its index sort key (nextDueAt). */
  private readonly indexed = new Map<string, string>();

  attachDynamo(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? 'unknown';
        const input = args.input as Input;
        if (DYNAMO_CAPACITY.has(command)) input.ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        this.count(`dynamodb:${command}`);
        this.onDynamo(command, input, result.output as unknown as Output);
        return result;
      },
      // Before the serializer, after the DocumentClient marshalled the input: the wire form is counted.
      { step: 'serialize', priority: 'high', name: 'benchRequestCounter' },
    );
  }

  attachSqs(client: SQSClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? 'unknown';
        const result = await next(args);
        this.count(`sqs:${command}`);
        this.sqsUnits += sqsUnits(command, args.input as Input, result.output as unknown as Output);
        return result;
      },
      { step: 'initialize', name: 'benchRequestCounter' },
    );
  }

  attachSns(client: SNSClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? 'unknown';
        const result = await next(args);
        this.count(`sns:${command}`);
        if (command === 'PublishCommand') {
          const input = args.input as { Message?: string; MessageAttributes?: unknown };
          const bytes =
            Buffer.byteLength(input.Message ?? '') +
            Buffer.byteLength(JSON.stringify(input.MessageAttributes ?? {}));
          this.snsPublishUnits += meteredUnits(bytes, SQS_SNS_METERING_BYTES);
        }
        return result;
      },
      { step: 'initialize', name: 'benchRequestCounter' },
    );
  }

  /** Forget what was counted so far (set-up requests are not part of a workload). */
  reset(): void {
    this.calls.clear();
    this.sqsUnits = 0;
    this.snsPublishUnits = 0;
    this.dynamoWriteRequests = 0;
    this.dynamoWru = 0;
    this.dynamoRru = 0;
    this.dynamoIndexWru = 0;
  }

  get(name: string): number {
    return this.calls.get(name) ?? 0;
  }

  /** Every counted call, sorted by name, for the report. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.calls].sort(([a], [b]) => a.localeCompare(b)));
  }

  private count(name: string): void {
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
  }

  private onDynamo(command: string, input: Input, output: Output): void {
    const consumed = output.ConsumedCapacity;
    const units = Array.isArray(consumed)
      ? consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0)
      : (consumed?.CapacityUnits ?? 0);
    if (DYNAMO_WRITES.has(command)) {
      this.dynamoWriteRequests += command === 'BatchWriteItemCommand' ? batchWriteItems(input) : 1;
      this.dynamoWru += units;
      if (command === 'PutItemCommand') this.onIndexedWrite(input.Item as Item);
    } else {
      this.dynamoRru += units;
    }
  }

  /**
   * The sparse, keys-only `due-index`: a write that adds an item to it costs one index write (the entry is
   * keys only, far under 1 KB), one that moves its index key costs two (delete + put), one that leaves the
   * key as it was costs nothing, and an item leaving the index costs one delete.
   */
  private onIndexedWrite(item: Item): void {
    const key = `${item.pk?.S}\u0000${item.sk?.S}`;
    const dueAt = item[INDEX_ATTRIBUTE] !== undefined ? (item.nextDueAt?.N ?? '') : undefined;
    const before = this.indexed.get(key);
    if (dueAt !== undefined) {
      if (before === undefined) this.dynamoIndexWru += 1;
      else if (before !== dueAt) this.dynamoIndexWru += 2;
      this.indexed.set(key, dueAt);
    } else if (before !== undefined) {
      this.indexed.delete(key);
      this.dynamoIndexWru += 1;
    }
  }
}

function batchWriteItems(input: Input): number {
  const requests = (input.RequestItems ?? {}) as Record<string, unknown[]>;
  return Object.values(requests).reduce((sum, list) => sum + list.length, 0);
}

function sqsUnits(command: string, input: Input, output: Output): number {
  if (command === 'SendMessageBatchCommand') {
    const entries = (input.Entries ?? []) as { MessageBody?: string }[];
    return meteredUnits(
      entries.reduce((sum, e) => sum + Buffer.byteLength(e.MessageBody ?? ''), 0),
      SQS_SNS_METERING_BYTES,
    );
  }
  if (command === 'SendMessageCommand') {
    return meteredUnits(
      Buffer.byteLength((input.MessageBody as string | undefined) ?? ''),
      SQS_SNS_METERING_BYTES,
    );
  }
  if (command === 'ReceiveMessageCommand') {
    const messages = (output.Messages ?? []) as { Body?: string }[];
    return meteredUnits(
      messages.reduce((sum, m) => sum + Buffer.byteLength(m.Body ?? ''), 0),
      SQS_SNS_METERING_BYTES,
    );
  }
  return 1;
}
