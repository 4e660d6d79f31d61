import { readRecording } from '../helpers/aws-calls/recording';
import { buildTestApp, EVERY_FUNCTION } from '../unit/lib/synth';
import { type CfnTemplate, compare, type FunctionReport } from './called-vs-granted';

/** The stack as `cdk synth` makes it (no bundling needed: roles and environments only). */
export function synthesizedTemplate(): CfnTemplate {
  const { app, stack } = buildTestApp(EVERY_FUNCTION);
  return app.synth().getStackByName(stack.stackName).template as CfnTemplate;
}

/** Called vs granted for every function of the stack, from the last recording (`npm test`). */
export function iamReport(template = synthesizedTemplate()): Record<string, FunctionReport> {
  return compare(template, readRecording());
}
