import type { Client } from 'langsmith';
import { getCurrentRunTree, traceable as lsTraceable } from 'langsmith/traceable';

/**
 * The leaves of the reference trace, traced with langsmith's own SDK: an
 * `llm` run with an event, tags and metadata, and a `tool` run that throws.
 * Tests build their own root around them.
 */
export function langsmithReferenceLeaves(client: Client) {
  const traced = { client, tracingEnabled: true } as const;
  const answer = lsTraceable(
    async function answer(question: string) {
      getCurrentRunTree().addEvent({ name: 'retrieved', kwargs: { docs: 2 } });
      return { text: `re: ${question}` };
    },
    { ...traced, name: 'answer', run_type: 'llm', tags: ['model:small'], metadata: { temperature: 0.2 } },
  );
  const lookup = lsTraceable(
    async function lookup(key: string) {
      throw new TypeError(`no tool ${key}`);
    },
    { ...traced, name: 'lookup', run_type: 'tool' },
  );
  return { traced, answer, lookup };
}
