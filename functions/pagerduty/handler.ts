import { SQSClient } from '@aws-sdk/client-sqs';
import { DeadLetters } from '../adapters/dead-letters';
import { Deliveries, PAGERDUTY_PREFIX } from '../adapters/deliveries';
import { PAGERDUTY_EVENTS_URL, PagerDutyEvents } from '../adapters/pagerduty-events';
import { SecretRoutingKey } from '../adapters/routing-key';
import { createDocumentClient } from '../adapters/state-repository';
import { optionalEnv, requireEnv } from '../shared/env';
import { createForwarderHandler } from './forwarder';
import { readRouting } from './wiring';

// Read once at cold start. The routing key itself is read from Secrets Manager when first needed.
const routingKey = new SecretRoutingKey(requireEnv('PAGERDUTY_SECRET_ID'));

export const handler = createForwarderHandler({
  routing: readRouting(),
  events: new PagerDutyEvents({
    url: optionalEnv('PAGERDUTY_EVENTS_URL', PAGERDUTY_EVENTS_URL),
    routingKey: () => routingKey.get(),
  }),
  deliveries: new Deliveries(createDocumentClient(), requireEnv('TABLE_NAME'), PAGERDUTY_PREFIX),
  deadLetters: new DeadLetters(new SQSClient({}), requireEnv('PAGERDUTY_DLQ_URL')),
});
