import { TopicRepublisher } from '../adapters/notifier';
import { createRelayHandler } from './relay';
import { readRoutes } from './wiring';

// Read once at cold start.
export const handler = createRelayHandler({ routes: readRoutes(), publisher: new TopicRepublisher() });
