/**
 * `npm run bench [-- --quick] [--out FILE] [--only key,key] [--part capacity]` (`--part` is `--only`): speed, cost and alert noise against floors
 * and the naive design (issue 7). Each measurement is its own module in bench/parts; a part that cannot
 * run yet prints `n/a: <why>` and the others still run. Method and latest figures: docs/benchmarks.md.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import type { BenchPart, Figure, PartResult } from './parts/part';

/** Loaded one by one, so a part whose dependency is missing fails alone. CPU-bound parts run first. */
const PARTS: readonly {
  readonly module: string;
  readonly keys: readonly string[];
  readonly load: () => Promise<BenchPart>;
}[] = [
  {
    module: 'ingest',
    keys: ['ingestVsJsonParse'],
    load: async () => (await import('./parts/ingest')).ingestPart,
  },
  { module: 'core', keys: ['coreVsJsonParse'], load: async () => (await import('./parts/core')).corePart },
  {
    module: 'extract',
    keys: ['extractVsGunzipParse'],
    load: async () => (await import('./parts/extract')).extractPart,
  },
  {
    module: 'storm',
    keys: ['writesPer10kStormEvents', 'publishesPerStorm'],
    load: async () => (await import('./parts/storm')).stormPart,
  },
  { module: 'e2e', keys: ['e2eP50Ms', 'e2eP99Ms'], load: async () => (await import('./parts/e2e')).e2ePart },
  {
    module: 'bundle',
    keys: ['bundleKb', 'initVsSdkImport'],
    load: async () => (await import('./parts/bundle')).bundlePart,
  },
  {
    module: 'cost',
    keys: ['costPerMillionEventsUsd'],
    load: async () => (await import('./parts/cost')).costPart,
  },
  {
    module: 'capacity',
    keys: [
      'hotScopeConflictsPerWrite',
      'concurrentEventsPerSecK8vsK1',
      'lostEvents',
      'doubleCountedEvents',
      'duplicateNotifications',
    ],
    load: async () => (await import('./parts/capacity')).capacityPart,
  },
];

interface Row {
  readonly key: string;
  readonly figure?: Figure;
  readonly unavailable?: string;
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

function printTable(rows: readonly Row[]): void {
  const lines = rows.map((row) => {
    if (!row.figure) return [row.key, `n/a: ${row.unavailable ?? 'not measured'}`, '', '', ''];
    const f = row.figure;
    return [
      row.key,
      `${f.value} ${f.unit}`,
      f.target ?? '',
      f.pass === undefined ? '' : f.pass ? 'ok' : 'MISSED',
      f.beside ?? '',
    ];
  });
  const header = ['figure', 'value', 'target', '', 'baseline / context'];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...lines.map((l) => (i < 4 ? (l[i] ?? '').length : 0))),
  );
  const format = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i < 4 ? c.padEnd(widths[i] ?? 0) : c))
      .join('  ')
      .trimEnd();
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      only: { type: 'string' },
      part: { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  const only = (values.only ?? values.part)?.split(',').map((s) => s.trim());
  const started = Date.now();
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
  console.log(`npm run bench${quick ? ' --quick' : ''} on ${machine}\n`);

  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  for (const entry of PARTS) {
    if (only && !entry.keys.some((k) => only.includes(k)) && !only.includes(entry.module)) continue;
    const partStarted = Date.now();
    let result: PartResult | undefined;
    let unavailable: string | undefined;
    try {
      const part = await entry.load();
      console.log(`• ${part.name}…`);
      result = await part.run({ quick, log: (line) => console.log(line) });
    } catch (error) {
      unavailable = reason(error);
      console.log(`  n/a: ${unavailable}`);
    }
    console.log(`  (${((Date.now() - partStarted) / 1000).toFixed(1)} s)`);
    for (const key of entry.keys) {
      const figure = result?.figures.find((f) => f.key === key);
      rows.push(
        figure ? { key, figure } : { key, unavailable: unavailable ?? 'the part produced no figure' },
      );
    }
    if (result) details[entry.module] = result.details;
  }

  console.log('');
  printTable(rows);
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `\n${rows.filter((r) => r.figure?.pass === false).length} missed, ${rows.filter((r) => !r.figure).length} n/a; ${seconds.toFixed(1)} s`,
  );

  if (values.out) {
    const figures = Object.fromEntries(rows.map((r) => [r.key, r.figure ? r.figure.value : null]));
    const report = {
      ...figures,
      meta: { quick, machine, at: new Date().toISOString(), seconds },
      rows: rows.map((r) => ({
        ...r.figure,
        key: r.key,
        ...(r.unavailable ? { unavailable: r.unavailable } : {}),
      })),
      details,
    };
    writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`written: ${values.out}`);
  }
  // Emulators and SDK sockets may keep handles open; the run is over.
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(`npm run bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
