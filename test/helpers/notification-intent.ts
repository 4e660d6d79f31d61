import type { NotificationIntent } from '../../functions/core/policy/types';

/**
 * A support incident's `incident.opened` notice, as the engine decides it: the fixture of the tests of
 * what renders, publishes, relays and forwards notifications. Each test overrides what it looks at.
 */
export function incidentOpened(overrides: Partial<NotificationIntent> = {}): NotificationIntent {
  return {
    notificationId: 'inc-1:1:opened',
    topic: 'support',
    kind: 'incident.opened',
    at: '2026-11-25T15:00:00.000Z',
    severity: 'critical',
    status: 500,
    statusCounts: { '500': 1 },
    name: 'Internal Server Error',
    possibleIssue: 'Server error.',
    resolution: 'Retry later.',
    scopeKey: 'incident#immediate#model#m',
    scope: { rule: 'immediate', model: 'm' },
    subjectId: 'inc-1',
    model: 'm',
    apps: [],
    count: 1,
    newSinceLast: 1,
    firstSeen: '2026-11-25T15:00:00.000Z',
    lastSeen: '2026-11-25T15:00:00.000Z',
    sampleRequestIds: [],
    ...overrides,
  } as NotificationIntent;
}
