import { randomUUID } from 'node:crypto';

/** A posted run record as LangSmith clients send it; override any field. */
export function postedRun(overrides: Record<string, unknown> = {}): Record<string, unknown> & { id: string; trace_id: string } {
  const id = (overrides.id as string | undefined) ?? randomUUID();
  return {
    id,
    trace_id: id,
    name: 'run',
    run_type: 'chain',
    start_time: '2026-01-01T00:00:00.000001Z',
    inputs: { question: 'why?' },
    tags: [],
    extra: { metadata: {} },
    events: [],
    session_name: 'test',
    ...overrides,
  } as Record<string, unknown> & { id: string; trace_id: string };
}

/** A batch body: `{ post, patch }`. */
export function batch(post: object[], patch: object[] = []): string {
  return JSON.stringify({ post, patch });
}
