/** Cold start: importing the event model builds no zod schema; each is built once, on first use. */
describe('event schemas', () => {
  const built = { object: 0 };

  beforeEach(() => {
    built.object = 0;
    jest.resetModules();
    jest.doMock('zod/mini', () => {
      const actual = jest.requireActual('zod/mini');
      return {
        ...actual,
        object: (...args: unknown[]) => {
          built.object += 1;
          return actual.object(...args);
        },
      };
    });
  });

  afterEach(() => {
    jest.dontMock('zod/mini');
  });

  it('builds no schema when the event model, normalize and queue messages are imported', () => {
    require('../../../functions/core/event');
    require('../../../functions/core/normalize');
    require('../../../functions/core/queue-message');
    expect(built.object).toBe(0);
  });

  it('builds each schema on first use and reuses it after', () => {
    const event = require('../../../functions/core/event') as typeof import('../../../functions/core/event');
    const incoming = event.incomingEventSchema();
    const afterFirst = built.object;
    expect(afterFirst).toBeGreaterThan(0);
    expect(event.incomingEventSchema()).toBe(incoming);
    expect(event.canonicalEventSchema()).toBe(event.canonicalEventSchema());
    expect(built.object).toBe(afterFirst + 1);
  });

  it('validates queue messages with the envelope schema and every event with the canonical schema', () => {
    const { parseQueueMessage } =
      require('../../../functions/core/queue-message') as typeof import('../../../functions/core/queue-message');
    const message = (event: object) =>
      JSON.stringify({ v: 1, batchId: 'b-0', receivedAt: 1, events: [event] });
    expect(parseQueueMessage(message({ id: 'e1', status: 500 })).events).toEqual([{ id: 'e1', status: 500 }]);
    expect(built.object).toBe(2); // the envelope and the canonical event, each built once
    expect(() => parseQueueMessage(JSON.stringify({ v: 2 }))).toThrow('v must be 1');
    expect(() => parseQueueMessage(message({ id: 'e1', status: 700 }))).toThrow('events[0].status');
    expect(built.object).toBe(2);
  });
});
