import { classify } from '../classify';
import type { Subject, SubjectScope } from './scope-state';
import type { NotificationIntent, NotificationKind, Topic } from './types';

/** The status a notification is about: the most frequent one (lowest code on a tie). */
function dominantStatus(statusCounts: Readonly<Record<string, number>>): number {
  let best: number | undefined;
  let bestCount = -1;
  for (const [status, count] of Object.entries(statusCounts)) {
    const code = Number(status);
    if (count > bestCount || (count === bestCount && best !== undefined && code < best)) {
      best = code;
      bestCount = count;
    }
  }
  return best ?? 0;
}

/** Who hears about each kind of subject. */
const TOPIC: Record<SubjectScope['kind'], Topic> = { incident: 'support', 'account-issue': 'account' };

const iso = (ms: number) => new Date(ms).toISOString();

const only = (values: readonly string[]) => (values.length === 1 ? values[0] : undefined);

/**
 * The notification for one transition of a subject. Its id is the subject id plus the notice's sequence
 * number and kind, so recomputing the same transition from the same input yields the same id.
 */
export function buildIntent(
  scope: SubjectScope,
  subject: Subject,
  kind: NotificationKind,
  now: number,
  delayedBySilence?: string,
): NotificationIntent {
  const status = scope.kind === 'account-issue' ? scope.status : dominantStatus(subject.statusCounts);
  const c = classify(status);
  const model = scope.kind === 'incident' ? (scope.model ?? only(subject.models)) : only(subject.models);
  const account = scope.kind === 'account-issue' ? scope.account : only(subject.accounts);
  const subtype = scope.subtype;
  // Every key, in the order of the JSON body (JSON leaves out the undefined ones).
  return {
    notificationId: `${subject.id}:${subject.notices + 1}:${kind.slice(kind.indexOf('.') + 1)}`,
    topic: TOPIC[scope.kind],
    kind,
    at: iso(now),
    severity: c.severity,
    status,
    statusCounts: { ...subject.statusCounts },
    name: c.name,
    possibleIssue: c.possibleIssue,
    resolution: c.resolution,
    subtype,
    scopeKey: scope.key,
    scope:
      scope.kind === 'incident'
        ? { rule: scope.rule, model: scope.model, endpoint: scope.endpoint }
        : { account: scope.account, status: scope.status },
    subjectId: subject.id,
    model,
    account,
    apps: [...subject.apps],
    count: subject.count,
    newSinceLast: subject.count - subject.countAtLastNotice,
    firstSeen: iso(subject.firstSeen),
    lastSeen: iso(subject.lastSeen),
    sampleRequestIds: [...subject.sampleRequestIds],
    delayedBySilence,
  };
}
