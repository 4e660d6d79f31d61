/**
 * `npm run -s iam-report [-- --json]`: per function, what its handler was recorded calling during the last
 * `npm test` (.aws-calls/), what its role grants, what is missing and what is unused.
 */
import { parseArgs } from 'node:util';
import { RECORDING_DIR, readRecording } from '../helpers/aws-calls/recording';
import { iamReport } from './iam-report';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } } });
if (readRecording().length === 0) {
  console.error(
    `iam-report: nothing recorded in ${RECORDING_DIR}: run npm test (or the integration and e2e tests) first`,
  );
  process.exit(1);
}
const report = iamReport();
if (values.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  for (const [name, { called, granted, missing, unused }] of Object.entries(report)) {
    console.log(
      `${name}: ${called.length} called, ${granted.length} granted, ${missing.length} missing, ${unused.length} unused`,
    );
    for (const line of missing) console.log(`  MISSING ${line}`);
    for (const line of unused) console.log(`  unused  ${line}`);
  }
}
process.exit(Object.values(report).some((r) => r.missing.length > 0) ? 1 : 0);
