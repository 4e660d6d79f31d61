import { RECORDING_DIR, readRecording } from '../helpers/aws-calls/recording';
import { type CfnTemplate, functionName } from './called-vs-granted';
import { iamReport, synthesizedTemplate } from './iam-report';

/**
 * Runs after the integration and end-to-end tests (`npm run jest` runs it second, with jest.iam.config.cjs): it reads
 * the AWS calls they recorded the production handlers making (.aws-calls/, one file per test file and
 * process) and holds each against its function's role in the synthesized template.
 */
describe('called vs granted (the last recording)', () => {
  let template: CfnTemplate;
  let report: ReturnType<typeof iamReport>;
  beforeAll(() => {
    template = synthesizedTemplate();
    report = iamReport(template);
  }, 60_000);

  it('has a recording to check', () => {
    expect(`${readRecording().length} calls in ${RECORDING_DIR}`).not.toMatch(/^0 calls/);
  });

  it('covers every function of the stack', () => {
    const functions = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .map(([id]) => functionName(id))
      .sort();
    expect(Object.keys(report).sort()).toEqual(functions);
  });

  it('finds every recorded call (and what the service does with the role) allowed by the function’s role', () => {
    const missing = Object.entries(report).flatMap(([name, r]) =>
      r.missing.map((line) => `${name}: ${line}`),
    );
    expect(missing).toEqual([]);
  });

  afterAll(() => {
    // Listed, not failed: a grant no test reaches is not wrong by itself (README, "Called vs granted").
    const unused = Object.entries(report ?? {}).flatMap(([name, r]) =>
      r.unused.map((line) => `${name}: ${line}`),
    );
    if (unused.length > 0)
      console.info(`grants no recorded call and no service need uses:\n  ${unused.join('\n  ')}`);
  });
});
