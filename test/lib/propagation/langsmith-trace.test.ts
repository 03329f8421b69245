import { extractTraceContext, getTraceHeaders, traceable } from '../../../index';
import { installMemoryTracing } from '../../helpers/memory-tracing';

/**
 * LangSmith's `langsmith-trace` header (a `dotted_order`): each segment's
 * time must be a real UTC time, ids are taken in lower case, and the chain
 * may be at most 138 runs long (the longest within 8 KiB) both ways.
 */
const ID = '0191e2f4-5a6b-7c8d-9e0f-a1b2c3d4e5f6';
const segment = (stamp: string, id = ID) => `${stamp}${id}`;
const parentOf = (header: string | string[]) => extractTraceContext({ 'langsmith-trace': header })?.parentRunId;

describe('the time of a segment', () => {
  test.each([
    ['a leap day', '20240229T120000000000Z'],
    ['the last second of a year', '20261231T235959999999Z'],
    ['the first instant of a month', '20260401T000000000000Z'],
  ])('taken: %s', (_, stamp) => {
    expect(parentOf(segment(stamp))).toBe(ID);
  });

  test.each([
    ['the 29th of February of a common year', '20260229T120000000000Z'],
    ['the 31st of April', '20260431T120000000000Z'],
    ['day 00', '20260500T120000000000Z'],
    ['month 00', '20260001T120000000000Z'],
    ['month 13', '20261301T120000000000Z'],
    ['hour 24', '20260101T240000000000Z'],
    ['minute 60', '20260101T126000000000Z'],
    ['second 60', '20260101T120060000000Z'],
    ['five fraction digits', '20260101T12000000000Z'],
  ])('refused: %s', (_, stamp) => {
    expect(parentOf(segment(stamp))).toBeUndefined();
  });
});

describe('the header', () => {
  test('ids are taken in lower case, in the dotted order too; blanks around the value are ignored', () => {
    const context = extractTraceContext({ 'langsmith-trace': `  ${segment('20260101T120000000001Z', ID.toUpperCase())}\t` });
    expect(context).toMatchObject({ traceId: ID, parentRunId: ID, dottedOrder: segment('20260101T120000000001Z') });
  });

  test.each([
    ['empty', ''],
    ['blank', '   '],
    ['two lines', [segment('20260101T120000000001Z'), segment('20260101T120000000001Z')]],
    ['an empty segment between dots', `${segment('20260101T120000000001Z')}..${segment('20260101T120000000002Z', '0191e2f4-5a6b-7c8d-9e0f-000000000002')}`],
  ])('refused: %s', (_, header) => {
    expect(parentOf(header)).toBeUndefined();
  });
});

describe('the length limit, outgoing', () => {
  test('a span 138 runs deep sends langsmith-trace; one run deeper sends traceparent alone', () => {
    installMemoryTracing();
    const deepest = traceable(() => getTraceHeaders(), { name: 'deepest' });
    const nest = (depth: number): (() => ReturnType<typeof getTraceHeaders>) => (depth === 0 ? deepest : traceable(() => nest(depth - 1)(), { name: `level-${depth}` }));
    const at138 = nest(137)();
    expect(at138['langsmith-trace']?.split('.')).toHaveLength(138);
    expect(at138['langsmith-trace']).toHaveLength(8141);
    const at139 = nest(138)();
    expect(at139['langsmith-trace']).toBeUndefined();
    expect(at139.traceparent).toBeDefined();
  });
});
