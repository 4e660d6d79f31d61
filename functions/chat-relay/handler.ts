import { CHAT_PREFIX, Deliveries } from '../adapters/deliveries';
import { TopicRepublisher } from '../adapters/notifier';
import { createDocumentClient } from '../adapters/state-repository';
import { requireEnv } from '../shared/env';
import { createRelayHandler } from './relay';
import { readRoutes } from './wiring';

// Read once at cold start.
export const handler = createRelayHandler({
  routes: readRoutes(),
  publisher: new TopicRepublisher(),
  deliveries: new Deliveries(createDocumentClient(), requireEnv('TABLE_NAME'), CHAT_PREFIX),
});
