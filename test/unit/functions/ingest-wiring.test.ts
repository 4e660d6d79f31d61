import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { hashToken } from '../../../functions/adapters/token-store';
import { lambdaContext, postEvents } from '../../fixtures/apigw';

const TOKEN = `fet_${'w'.repeat(43)}`;
const ENV = {
  TABLE_NAME: 'state-table',
  EVENTS_QUEUE_URL: 'http://127.0.0.1:1/000000000000/events',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  AWS_REGION: 'us-east-1',
};

describe('ingest handler module', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('fails at cold start naming a missing variable', () => {
    process.env = { ...saved, ...ENV, TABLE_NAME: '' };
    jest.isolateModules(() => {
      expect(() => require('../../../functions/ingest/handler')).toThrow(
        'Missing required environment variable TABLE_NAME',
      );
    });
  });

  it('wires the token table and the events queue from the environment', async () => {
    process.env = { ...saved, ...ENV };
    const ddb = mockClient(DynamoDBDocumentClient);
    const sqs = mockClient(SQSClient);
    ddb
      .on(GetCommand)
      .resolves({ Item: { pk: 'token', sk: hashToken(TOKEN), tokenId: 'abc', app: 'checkout' } });
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
    const { handler } = await import('../../../functions/ingest/handler');

    const result = await handler(
      postEvents({ headers: { authorization: `Bearer ${TOKEN}` } }),
      lambdaContext(),
    );

    expect(result.statusCode).toBe(202);
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input.TableName).toBe('state-table');
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.QueueUrl).toBe(ENV.EVENTS_QUEUE_URL);
    ddb.restore();
    sqs.restore();
  });
});
