import { mockClient } from 'aws-sdk-client-mock';
import { parseQueueMessage } from '../../../functions/core/queue-message';
import { lambdaContext } from '../../fixtures/apigw';
import { dataPayload, NON_FIREWORKS_500, subscriptionEvent } from '../../fixtures/logs/payload';

const ENV = {
  EVENTS_QUEUE_URL: 'http://127.0.0.1:1/000000000000/events',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  AWS_REGION: 'us-east-1',
};

describe('logs handler module', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('fails at cold start naming a missing EVENTS_QUEUE_URL', () => {
    process.env = { ...saved, ...ENV, EVENTS_QUEUE_URL: '' };
    jest.isolateModules(() => {
      expect(() => require('../../../functions/logs/handler')).toThrow(
        'Missing required environment variable EVENTS_QUEUE_URL',
      );
    });
  });

  it('fails at cold start on an INCLUDE_NON_FIREWORKS that is not true or false', () => {
    process.env = { ...saved, ...ENV, INCLUDE_NON_FIREWORKS: 'yes' };
    jest.isolateModules(() => {
      expect(() => require('../../../functions/logs/handler')).toThrow(/INCLUDE_NON_FIREWORKS/);
    });
  });

  it.each([
    [undefined, 1],
    ['false', 0],
  ])(
    'with INCLUDE_NON_FIREWORKS=%s queues %i non-Fireworks error to EVENTS_QUEUE_URL',
    async (value, expected) => {
      process.env = { ...saved, ...ENV };
      if (value !== undefined) process.env.INCLUDE_NON_FIREWORKS = value;
      // The module is loaded in isolation (fresh env), so the SQS client class to mock is the isolated one.
      let sdk = {} as typeof import('@aws-sdk/client-sqs');
      let handler: ((event: unknown, context: unknown) => Promise<unknown>) | undefined;
      jest.isolateModules(() => {
        sdk = require('@aws-sdk/client-sqs');
        handler = require('../../../functions/logs/handler').handler;
      });
      const sqs = mockClient(sdk.SQSClient);
      sqs.on(sdk.SendMessageBatchCommand).resolves({ Failed: [] });

      await handler?.(subscriptionEvent(dataPayload([NON_FIREWORKS_500])), lambdaContext());

      const calls = sqs.commandCalls(sdk.SendMessageBatchCommand);
      const events = calls.flatMap((c) =>
        (c.args[0].input.Entries ?? []).flatMap((e) => parseQueueMessage(e.MessageBody ?? '').events),
      );
      expect(events).toHaveLength(expected);
      if (expected > 0) expect(calls[0]?.args[0].input.QueueUrl).toBe(ENV.EVENTS_QUEUE_URL);
      sqs.restore();
    },
  );
});
