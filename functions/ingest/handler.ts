import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventQueue } from '../adapters/event-queue';
import { queueLanesFromEnv } from '../adapters/queue-lanes';
import { StateRepository } from '../adapters/state-repository';
import { TokenStore } from '../adapters/token-store';
import type { ScopeState } from '../core/policy';
import { numberEnv, requireEnv } from '../shared/env';
import { createIngestHandler } from './ingest';

// Read once at cold start: a missing variable fails the first invocation with its name.
const tableName = requireEnv('TABLE_NAME');
const cacheSeconds = numberEnv('TOKEN_CACHE_SECONDS', 60, { min: 0, max: 3600 });

// Clients built once per container; emulator endpoints come from AWS_ENDPOINT_URL_* only.
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));
// The state table, read-only here: whether a 500's incident is already open (then it takes the bulk lane).
const lanes = queueLanesFromEnv(process.env, new StateRepository<ScopeState>({ tableName, documentClient }));
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });

export const handler = createIngestHandler({
  tokens: new TokenStore({ tableName, documentClient, cacheSeconds }),
  queue: new EventQueue({ ...lanes, client: sqs }),
});
