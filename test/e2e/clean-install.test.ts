import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/**
 * The package as a user installs it: `npm pack`, then the tarball installed without dev dependencies in a
 * project of its own (from npm's cache when it has the packages, as after `npm ci`; else the registry).
 * `triage` must run there: no tsx, esbuild or anything else from devDependencies may be missing.
 */
describe('the triage CLI installed without dev dependencies', () => {
  let dir: string;
  /** The parent `npm test` run's settings (npm_config_*, npm_lifecycle_*) must not leak into the child npm. */
  const env = {
    ...Object.fromEntries(
      Object.entries(process.env).filter(
        ([key]) => !key.startsWith('npm_') || key === 'npm_config_cache' || key === 'npm_config_registry',
      ),
    ),
    PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
  };
  const npm = (args: string[], cwd: string) => run('npm', args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'triage-install-'));
    const { stdout } = await npm(['pack', '--pack-destination', dir, '--silent'], ROOT);
    const tarball = join(dir, stdout.trim().split('\n').at(-1) ?? '');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    await npm(
      ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball],
      dir,
    );
  }, 180_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has the CLI and none of the dev dependencies', () => {
    expect(existsSync(join(dir, 'node_modules', '.bin', 'triage'))).toBe(true);
    for (const dev of ['jest', 'aws-cdk-lib', 'typescript', '@biomejs/biome'])
      expect({ dev, installed: existsSync(join(dir, 'node_modules', dev)) }).toEqual({
        dev,
        installed: false,
      });
    // Only what the CLI needs is packed: no tests, fixtures or benchmarks.
    expect(existsSync(join(dir, 'node_modules', 'fireworks-error-triage', 'test'))).toBe(false);
  });

  it('loads every command: each gets as far as reading its stack file', async () => {
    const bin = join(dir, 'node_modules', '.bin', 'triage');
    const stack = ['--stack', join(dir, 'none.json')];
    const commands = [
      ['send', '--status', '503'],
      ['tail', 'support'],
      ['incidents'],
      ['ack', 'inc-1', '--by', 'a'],
      ['silence', 'list'],
      ['token', 'list'],
      ['scopes'],
    ];
    const results = await Promise.all(
      commands.map((args) =>
        run(bin, [...args, ...stack], { cwd: dir, env }).then(
          () => ({ args, code: 0, stderr: '' }),
          (error: { code: number; stderr: string }) => ({
            args,
            code: error.code,
            stderr: error.stderr.trim(),
          }),
        ),
      ),
    );
    for (const { args, code, stderr } of results) {
      expect({ args, code, stderr }).toEqual({
        args,
        code: 2,
        stderr: expect.stringMatching(/stack file .*none\.json does not exist: start the local stack/),
      });
    }
  }, 60_000);

  it('runs `npx triage classify 500`', async () => {
    const { stdout } = await run('npx', ['--no-install', 'triage', 'classify', '500', '--json'], {
      cwd: dir,
      env,
    });
    expect(JSON.parse(stdout)).toMatchObject({
      status: 500,
      name: 'Internal Server Error',
      route: 'support',
    });
  }, 60_000);

  it('runs `npx triage extract < file`', async () => {
    const log = join(dir, 'app.log');
    writeFileSync(
      log,
      `${JSON.stringify({ level: 'error', status: 503, url: 'https://api.fireworks.ai/inference/v1/chat/completions' })}\nall good\n`,
    );
    const { stdout } = await run('sh', ['-c', 'npx --no-install triage extract < app.log'], {
      cwd: dir,
      env,
    });
    const [error, none] = stdout.trim().split('\n');
    expect(JSON.parse(error ?? '')).toMatchObject({ status: 503, provider: 'fireworks', counted: true });
    expect(none).toBe('null');
  }, 60_000);
});
