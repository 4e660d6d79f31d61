import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
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
  LOG_COUNT: 'default',
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

  it('bundles each of the six handlers into a minified ESM file with a source map and no sources', () => {
    expect(bundles).toHaveLength(6);
    for (const { dir } of bundles) {
      expect(fs.readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
      const map = JSON.parse(fs.readFileSync(path.join(dir, 'index.mjs.map'), 'utf8')) as {
        sourcesContent?: unknown;
      };
      expect(map.sourcesContent).toBeUndefined();
    }
  });

  it('leaves only the AWS SDK (which the nodejs24.x runtime provides) outside the bundles', () => {
    for (const { id, dir } of bundles) {
      const code = fs.readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      const specifiers = [...code.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*"([^"]+)"/g)].map(
        (m) => m[1] as string,
      );
      const packages = specifiers.filter((s) => !s.startsWith('node:') && !s.startsWith('.'));
      expect(`${id}: ${packages.filter((s) => !s.startsWith('@aws-sdk/')).join(', ')}`).toBe(`${id}: `);
    }
  });

  it('loads every bundle with only the AWS SDK installed beside it, and finds its handler', () => {
    // As on Lambda: the bundle, plus the SDK packages a runtime provides (here: this project's copies).
    const runtime = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-runtime-'));
    fs.symlinkSync(path.resolve('node_modules'), path.join(runtime, 'node_modules'));
    try {
      for (const { id, dir } of bundles) {
        const task = path.join(runtime, id);
        fs.mkdirSync(task);
        fs.copyFileSync(path.join(dir, 'index.mjs'), path.join(task, 'index.mjs'));
        const output = execFileSync(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `const m = await import(${JSON.stringify(path.join(task, 'index.mjs'))}); console.log(typeof m.handler);`,
          ],
          { cwd: task, env: { PATH: process.env.PATH, ...HANDLER_ENV }, encoding: 'utf8' },
        );
        expect(`${id}: ${output.trim()}`).toBe(`${id}: function`);
      }
    } finally {
      fs.rmSync(runtime, { recursive: true, force: true });
    }
  });

  it('keeps every bundle under 250 KB', () => {
    for (const { id, dir } of bundles) {
      const kb = fs.statSync(path.join(dir, 'index.mjs')).size / 1024;
      expect(`${id}: ${kb < 250}`).toBe(`${id}: true`);
    }
  });
});
