import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildTestApp, type Resources } from './synth';

/** Dummy values for the variables each handler requires at cold start. */
const HANDLER_ENV = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  TABLE_NAME: 'state',
  EVENTS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/events',
  SUPPORT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:support',
  ACCOUNT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:account',
  POLICY_CONFIG: '{}',
  INCLUDE_NON_FIREWORKS: 'false',
};

describe('function bundles', () => {
  // The one synth that runs esbuild for real (the other lib tests skip bundling).
  let bundles: { id: string; dir: string }[];
  beforeAll(() => {
    const { app } = buildTestApp({}, { bundle: true });
    const assembly = app.synth();
    const template = JSON.parse(
      fs.readFileSync(path.join(assembly.directory, 'FireworksErrorTriage.template.json'), 'utf8'),
    ) as { Resources: Resources };
    bundles = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .map(([id, r]) => {
        const key = (r.Properties.Code as { S3Key: string }).S3Key;
        return { id, dir: path.join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`) };
      });
  }, 120_000);

  it('bundles each of the five handlers into a minified ESM file with a source map and no sources', () => {
    expect(bundles).toHaveLength(5);
    for (const { dir } of bundles) {
      expect(fs.readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
      const map = JSON.parse(fs.readFileSync(path.join(dir, 'index.mjs.map'), 'utf8')) as {
        sourcesContent?: unknown;
      };
      expect(map.sourcesContent).toBeUndefined();
    }
  });

  it('loads every bundle on this Node.js with no node_modules, and finds its handler', () => {
    for (const { id, dir } of bundles) {
      // A fresh process in the asset directory: everything, the AWS SDK included, must come from the bundle.
      const output = execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(path.join(dir, 'index.mjs'))}); console.log(typeof m.handler);`,
        ],
        { cwd: dir, env: { PATH: process.env.PATH, ...HANDLER_ENV }, encoding: 'utf8' },
      );
      expect(`${id}: ${output.trim()}`).toBe(`${id}: function`);
    }
  });
});
