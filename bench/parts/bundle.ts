import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import cdkJson from '../../cdk.json';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/shared/service';
import type { FunctionName } from '../../lib/config';
import { TriageFunction } from '../../lib/triage-function';
import { median, round } from '../lib/stats';
import type { BenchPart } from './part';

const run = promisify(execFile);
const require = createRequire(__filename);
const ROOT = resolve(__dirname, '../..');
const FUNCTIONS: readonly FunctionName[] = ['ingest', 'codes', 'oncall', 'triage', 'sweep', 'logs'];

/** The esbuild command line the CDK ran for one function (captured, so the bench reuses lib's options). */
interface EsbuildCall {
  readonly command: string;
  readonly args: readonly string[];
}

/**
 * Run `work` while recording the esbuild processes the CDK spawns for local bundling. NodejsFunction runs
 * `npx --no-install esbuild --bundle <entry> <options…>` through child_process.spawnSync.
 */
function capturingEsbuild<T>(work: () => T): { result: T; calls: EsbuildCall[] } {
  const childProcess = require('node:child_process') as { spawnSync: (...a: unknown[]) => unknown };
  const original = childProcess.spawnSync;
  const calls: EsbuildCall[] = [];
  childProcess.spawnSync = (command: unknown, args: unknown, ...rest: unknown[]) => {
    if (Array.isArray(args) && args.includes('esbuild'))
      calls.push({ command: String(command), args: args as string[] });
    return original(command, args, ...rest);
  };
  try {
    return { result: work(), calls };
  } finally {
    childProcess.spawnSync = original;
  }
}

/**
 * Bundle every function exactly as `cdk synth` does: the stack's own TriageFunction construct (its esbuild
 * options live in lib/triage-function.ts), synthesized with bundling on into a scratch folder.
 */
function synthBundles(outdir: string): { bundles: Record<FunctionName, string>; esbuild: EsbuildCall } {
  // Asset metadata names each function's bundle folder in the template.
  const app = new App({ outdir, context: { ...cdkJson.context, 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'BenchBundles');
  const key = new kms.Key(stack, 'Key');
  // AssetStaging bundles while the construct is created, so the capture spans construction and synth.
  const { result: constructs, calls } = capturingEsbuild(() =>
    FUNCTIONS.map(
      (name) =>
        [
          name,
          new TriageFunction(stack, `${name}Function`, {
            name,
            description: name,
            memorySize: 512,
            timeout: Duration.seconds(10),
            logRetentionDays: 30,
            encryptionKey: key,
          }),
        ] as const,
    ),
  );
  const assembly = app.synth();
  const template = assembly.getStackArtifact(stack.artifactId).template as {
    Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
  };
  const bundles = {} as Record<FunctionName, string>;
  for (const [name, fn] of constructs) {
    const logicalId = stack.getLogicalId(fn.node.defaultChild as never);
    const assetPath = template.Resources[logicalId]?.Metadata?.['aws:asset:path'];
    if (!assetPath) throw new Error(`no asset path for the ${name} function`);
    const folder = join(outdir, assetPath);
    const file = ['index.mjs', 'index.js'].find((f) => existsSync(join(folder, f)));
    if (!file) throw new Error(`no bundle in ${folder}`);
    bundles[name] = join(folder, file);
  }
  const esbuild = calls[0];
  if (!esbuild) throw new Error('the CDK did not run esbuild locally (Docker bundling?)');
  return { bundles, esbuild };
}

/** The empty handler, bundled by the same esbuild command line the CDK ran, with entry and outfile swapped. */
async function emptyBundle(dir: string, esbuild: EsbuildCall): Promise<string> {
  const entry = join(dir, 'empty-handler.ts');
  writeFileSync(entry, 'export const handler = async (): Promise<void> => {};\n');
  const bundleIndex = esbuild.args.indexOf('--bundle');
  const outfileArg = esbuild.args.find((a) => a.startsWith('--outfile='));
  if (bundleIndex < 0 || !outfileArg)
    throw new Error(`unexpected esbuild command: ${esbuild.args.join(' ')}`);
  const outfile = join(dir, 'empty', basename(outfileArg.slice('--outfile='.length)));
  const args = esbuild.args.map((a, i) =>
    i === bundleIndex + 1 ? entry : a === outfileArg ? `--outfile=${outfile}` : a,
  );
  await run(esbuild.command, [...args, '--log-level=warning'], { cwd: ROOT });
  return outfile;
}

/** Environment the handlers read at cold start (contracts): dummy values, nothing is called at import. */
const HANDLER_ENV = {
  POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
  POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
  POWERTOOLS_LOG_LEVEL: 'INFO',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  TABLE_NAME: 'state',
  EVENTS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/events',
  SUPPORT_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:support',
  ACCOUNT_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:account',
  POLICY_CONFIG: '{}',
  LOG_COUNT: 'default',
};

/**
 * The packages a bundle imports that esbuild left external (`--external:<pattern>` in the CDK's command
 * line, e.g. `@aws-sdk/*`): the runtime's copies, loaded when the bundle is imported.
 */
export function externalImports(bundleText: string, esbuildArgs: readonly string[]): string[] {
  const patterns = esbuildArgs
    .filter((a) => a.startsWith('--external:'))
    .map((a) => {
      const escaped = a.slice('--external:'.length).replace(/[.+?^$|()[\]{}\\]/g, '\\$&');
      return new RegExp(`^${escaped.replace(/\*/g, '.*')}$`);
    });
  const found = new Set<string>();
  // Static imports as esbuild prints them (minified or not): `from"x"`, `import"x"`, `import("x")`.
  for (const match of bundleText.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["']([^"']+)["']/g)) {
    const specifier = match[1] as string;
    if (patterns.some((p) => p.test(specifier))) found.add(specifier);
  }
  return [...found].sort();
}

/**
 * Imports the packages in argv[2] (a JSON list) first, then the bundle (argv[1]), and prints both times:
 * `[packagesMs, bundleMs]`. With an empty list, bundleMs is the plain cold import, as Lambda's init.
 * The clock stops before anything is printed: the first use of process.stdout builds the stream (~1 ms).
 */
const IMPORT_TIMER = `(async () => {
  const now = () => process.hrtime.bigint();
  const packages = JSON.parse(process.argv[2]);
  const t0 = now();
  for (const p of packages) await import(p);
  const t1 = now();
  await import(process.argv[1]);
  const t2 = now();
  process.stdout.write(JSON.stringify([Number(t1 - t0) / 1e6, Number(t2 - t1) / 1e6]));
})()`;

interface ImportTimes {
  /** Importing the preloaded packages (0 without any). */
  readonly packagesMs: number;
  /** Importing the bundle after them. */
  readonly bundleMs: number;
}

/**
 * Times to import a bundle in a fresh node process, as Lambda's init imports the handler, optionally after
 * importing `preload` in the same process. Run in the bundle's folder, so `preload` resolves as the
 * bundle's own imports do (the bundles sit under bench/.out: externals resolve from the project's node_modules).
 */
async function coldImport(bundle: string, preload: readonly string[] = []): Promise<ImportTimes> {
  const url = pathToFileURL(bundle).href;
  const { stdout } = await run(
    process.execPath,
    ['--enable-source-maps', '-e', IMPORT_TIMER, url, JSON.stringify(preload)],
    { env: { ...HANDLER_ENV, PATH: process.env.PATH ?? '' }, cwd: dirname(bundle) },
  );
  const [packagesMs, bundleMs] = JSON.parse(stdout) as [number, number];
  return { packagesMs, bundleMs };
}

/**
 * The floor every function that calls AWS pays at init: one runtime SDK client, imported cold. The DynamoDB
 * client is the one the triage, sweep, ingest and on-call functions import.
 */
export const SDK_FLOOR_PACKAGE = '@aws-sdk/client-dynamodb';

/**
 * `bundleKb` (largest minified bundle) and `initVsSdkImport` (median cold import ÷ the median cold import of
 * one runtime SDK client, worst function; issue 22).
 */
export const bundlePart: BenchPart = {
  name: 'bundles and init',
  keys: ['bundleKb', 'initVsSdkImport'],
  async run({ quick }) {
    const dir = join(ROOT, 'bench/.out');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      const { bundles, esbuild } = synthBundles(join(dir, 'cdk.out'));
      const emptyPath = await emptyBundle(dir, esbuild);
      const sizesKb = Object.fromEntries(
        FUNCTIONS.map((name) => [name, statSync(bundles[name]).size / 1024]),
      ) as Record<FunctionName, number>;
      const processes = quick ? 10 : 20;
      const preloads = Object.fromEntries(
        FUNCTIONS.map((n) => [n, externalImports(readFileSync(bundles[n], 'utf8'), esbuild.args)]),
      ) as Record<FunctionName, string[]>;
      const targets: [string, string][] = [
        ['empty', emptyPath],
        ...FUNCTIONS.map((n) => [n, bundles[n]] as [string, string]),
      ];
      const plain = new Map<string, number[]>();
      const sdkFloor: number[] = [];
      // Per function with external imports: the same bundle imported after its SDK packages in one process,
      // which splits its init into theirs (the packages) and ours (the bundle's own code, clients included).
      const preloaded = new Map<FunctionName, { ours: number[]; sdk: number[] }>();
      const push = <T>(map: Map<T, number[]>, key: T, ms: number) =>
        map.set(key, [...(map.get(key) ?? []), ms]);
      // Round robin: a noisy moment spreads over every bundle instead of hitting one.
      for (let i = 0; i < processes + 1; i++) {
        for (const [name, path] of targets) {
          const { bundleMs } = await coldImport(path);
          if (i > 0) push(plain, name, bundleMs); // the first round warms the file system cache
        }
        // The SDK client alone, in a fresh process, resolved from the bundles' folder as their imports are.
        const floor = await coldImport(emptyPath, [SDK_FLOOR_PACKAGE]);
        if (i > 0) sdkFloor.push(floor.packagesMs);
        for (const name of FUNCTIONS) {
          if (preloads[name].length === 0) continue;
          const { packagesMs, bundleMs } = await coldImport(bundles[name], preloads[name]);
          if (i === 0) continue;
          const entry = preloaded.get(name) ?? { ours: [], sdk: [] };
          entry.ours.push(bundleMs);
          entry.sdk.push(packagesMs);
          preloaded.set(name, entry);
        }
      }
      const emptyMs = median(plain.get('empty') ?? []);
      const importMs = Object.fromEntries([...plain].map(([n, s]) => [n, median(s)])) as Record<
        FunctionName | 'empty',
        number
      >;
      const sdkFloorMs = median(sdkFloor);
      const init = Object.fromEntries(FUNCTIONS.map((n) => [n, importMs[n] / sdkFloorMs])) as Record<
        FunctionName,
        number
      >;
      // Without external imports, the plain import is all ours.
      const oursMs = Object.fromEntries(
        FUNCTIONS.map((n) => {
          const samples = preloaded.get(n)?.ours;
          return [n, samples ? median(samples) : importMs[n]];
        }),
      ) as Record<FunctionName, number>;
      const sdkMs = Object.fromEntries(
        FUNCTIONS.map((n) => {
          const samples = preloaded.get(n)?.sdk;
          return [n, samples ? median(samples) : 0];
        }),
      ) as Record<FunctionName, number>;
      const largest = FUNCTIONS.reduce((a, b) => (sizesKb[a] >= sizesKb[b] ? a : b));
      const slowest = FUNCTIONS.reduce((a, b) => (init[a] >= init[b] ? a : b));
      const list = (values: Record<string, number>) =>
        FUNCTIONS.map((n) => `${n} ${round(values[n] as number)}`).join(', ');
      const split = FUNCTIONS.map(
        (n) =>
          `${n} ${round(init[n])} (${round(importMs[n])} ms; ours ${round(oursMs[n])} ms · ${
            sdkMs[n] > 0 ? `external SDK ${round(sdkMs[n])} ms` : 'nothing external'
          })`,
      ).join(', ');
      return {
        figures: [
          {
            key: 'bundleKb',
            value: round(sizesKb[largest]),
            unit: 'KB',
            // The AWS SDK is bundled (lib/triage-function.ts): 420–490 KB per SDK function.
            target: '≤ 550',
            pass: sizesKb[largest] <= 550,
            beside: `${largest}; ${list(sizesKb)}`,
          },
          {
            key: 'initVsSdkImport',
            value: round(init[slowest]),
            unit: '× one SDK client',
            target: '≤ 1.5',
            pass: init[slowest] <= 1.5,
            beside: `${slowest} ${round(importMs[slowest])} ms vs ${SDK_FLOOR_PACKAGE} alone ${round(sdkFloorMs)} ms; ${split}; empty bundle ${round(emptyMs)} ms; median of ${processes} cold processes each`,
          },
        ],
        details: {
          sizesKb,
          initVsSdkImport: init,
          sdkFloorPackage: SDK_FLOOR_PACKAGE,
          sdkFloorMs,
          emptyMs,
          importMs,
          // Ours: the bundle imported after its external packages in the same process (its own code and
          // module-scope work, SDK client construction included); SDK: those packages' import time.
          oursMs,
          sdkMs,
          sdkPackages: preloads,
          processes,
          esbuildOptions: esbuild.args.filter((a) => a.startsWith('--') && !a.startsWith('--outfile')),
          sourceMapsKb: Object.fromEntries(
            FUNCTIONS.map((n) => [n, round(statSync(`${bundles[n]}.map`).size / 1024)]),
          ),
        },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
