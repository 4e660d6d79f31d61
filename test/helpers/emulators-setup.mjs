// Jest globalSetup for the integration project: starts dynalite (DynamoDB) and fauxqs (SNS + SQS)
// on 127.0.0.1, on free ports, and hands their endpoints to the tests through process.env.
import { createRequire } from 'node:module';
import { startFauxqs } from 'fauxqs';

const require = createRequire(import.meta.url);

export default async function setup() {
  const region = 'us-east-1';
  const dynalite = require('dynalite')({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise((resolve, reject) => {
    dynalite.once('error', reject);
    dynalite.listen(0, '127.0.0.1', resolve);
  });
  const fauxqs = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false, defaultRegion: region });
  globalThis.__EMULATORS__ = { dynalite, fauxqs };
  const dynamoEndpoint = `http://127.0.0.1:${dynalite.address().port}`;
  Object.assign(process.env, {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_SNS: fauxqs.address,
    AWS_ENDPOINT_URL_SQS: fauxqs.address,
    POWERTOOLS_DEV: 'false',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
}
