import { readRecording } from '../helpers/aws-calls/recording';
import { buildTestApp } from '../unit/lib/synth';
import { type CfnTemplate, compare, type FunctionReport } from './called-vs-granted';

/**
 * Config that switches on every function the stack can have (the PagerDuty forwarder and the chat relay are
 * optional), so each is checked; the rest is the defaults.
 */
export const EVERY_FUNCTION = {
  pagerDuty: { secretName: 'triage/pagerduty' },
  chat: {
    slack: [
      {
        name: 'pager',
        slackWorkspaceId: 'T0123ABCD',
        slackChannelId: 'C0123ABCD',
        filterPolicy: { severity: ['critical'] },
      },
    ],
  },
};

/** The stack as `cdk synth` makes it (no bundling needed: roles and environments only). */
export function synthesizedTemplate(): CfnTemplate {
  const { app, stack } = buildTestApp(EVERY_FUNCTION);
  return app.synth().getStackByName(stack.stackName).template as CfnTemplate;
}

/** Called vs granted for every function of the stack, from the last recording (`npm test`). */
export function iamReport(template = synthesizedTemplate()): Record<string, FunctionReport> {
  return compare(template, readRecording());
}
