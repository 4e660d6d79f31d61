import { mockClient } from 'aws-sdk-client-mock';
import { parseQueueMessage } from '../../../functions/core/queue-message';
import { lambdaContext } from '../../fixtures/apigw';
import { dataPayload, subscriptionEvent, WEBSITE_404 } from '../../fixtures/logs/payload';

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

  it.each([
    [{ LOG_COUNT: 'some' }, /LOG_COUNT must be one of default, shown, llm, all/],
    [{ LOG_GROUP_COUNT: '{"/a": "some"}' }, /LOG_GROUP_COUNT must be a JSON object/],
    [{ LOG_GROUP_COUNT: 'not json' }, /LOG_GROUP_COUNT must be a JSON object/],
  ])('fails at cold start on %j', (env, message) => {
    process.env = { ...saved, ...ENV, ...env };
    jest.isolateModules(() => {
      expect(() => require('../../../functions/logs/handler')).toThrow(message);
    });
  });

  it.each([
    [{}, 0],
    [{ LOG_COUNT: 'all' }, 1],
    [{ LOG_GROUP_COUNT: '{"/aws/lambda/checkout": "all"}' }, 1],
    [{ LOG_COUNT: 'all', LOG_GROUP_COUNT: '{"/aws/lambda/checkout": "default"}' }, 0],
  ])(
    'with %j queues %i error of a service that is not an LLM API to EVENTS_QUEUE_URL',
    async (env, expected) => {
      process.env = { ...saved, ...ENV, ...env };
      // The module is loaded in isolation (fresh env), so the SQS client class to mock is the isolated one.
      let sdk = {} as typeof import('@aws-sdk/client-sqs');
      let handler: ((event: unknown, context: unknown) => Promise<unknown>) | undefined;
      jest.isolateModules(() => {
        sdk = require('@aws-sdk/client-sqs');
        handler = require('../../../functions/logs/handler').handler;
      });
      const sqs = mockClient(sdk.SQSClient);
      sqs.on(sdk.SendMessageBatchCommand).resolves({ Failed: [] });

      await handler?.(subscriptionEvent(dataPayload([WEBSITE_404])), lambdaContext());

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
