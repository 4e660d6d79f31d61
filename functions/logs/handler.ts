import { SQSClient } from '@aws-sdk/client-sqs';
import { EventQueue } from '../adapters/event-queue';
import { queueLanesFromEnv } from '../adapters/queue-lanes';
import { countingFromEnv, createLogsHandler } from './logs';

// Read once at cold start: a missing variable fails the first invocation with its name.
const lanes = queueLanesFromEnv();
const counting = countingFromEnv();

// Built once per container; emulator endpoints come from AWS_ENDPOINT_URL_SQS only.
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });

export const handler = createLogsHandler({
  queue: new EventQueue({ ...lanes, client: sqs }),
  counting,
});
