import { BAGGAGE_LIMITS, extractTraceContext, getTraceHeaders, injectTraceHeaders, traceable } from '../../../index';
import { ROOT_CONTEXT, defaultTextMapGetter, defaultTextMapSetter } from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { installMemoryTracing } from '../../helpers/memory-tracing';

/**
 * W3C Baggage with LangSmith's members, both ways: what an incoming `baggage`
 * header gives a continued trace (each member's own rule and limit, the
 * header's), and what an outgoing one carries within the spec's 8 192 bytes.
 */
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const incoming = (baggage: string | string[]) => extractTraceContext({ traceparent: TRACEPARENT, baggage });
const tagsOf = (value: string) => incoming(`langsmith-tags=${encodeURIComponent(value)}`)?.tags;
const projectOf = (member: string) => incoming(member)?.projectName;
/** A member of exactly `length` characters that no rule looks at. */
const filler = (length: number, key = 'pad') => `${key}=${'x'.repeat(length - key.length - 1)}`;

describe('incoming langsmith-tags', () => {
  test.each([
    ['one tag', 'a', ['a']],
    ['blanks around each tag are trimmed', ' a ,  b\t', ['a', 'b']],
    ['empty tags are skipped', 'a,,b, ,', ['a', 'b']],
    ['a tag given twice is kept once, at its first place', 'b,a,b,a', ['b', 'a']],
    ['a tag of 256 characters is kept', 't'.repeat(256), ['t'.repeat(256)]],
    ['a tag of 257 characters is dropped alone', `${'t'.repeat(257)},kept`, ['kept']],
    ['a tag with a control character is dropped alone', 'bad\u0007tag,kept', ['kept']],
    ['a tag with DEL is dropped alone', 'bad\u007ftag,kept', ['kept']],
  ])('%s', (_, value, tags) => {
    expect(tagsOf(value)).toEqual(tags);
  });

  test('the first 64 distinct tags are kept, the rest dropped', () => {
    const tags = Array.from({ length: 70 }, (_, i) => `t${i}`);
    expect(BAGGAGE_LIMITS.maxTags).toBe(64);
    expect(tagsOf(['t0', ...tags].join(','))).toEqual(tags.slice(0, 64));
  });
});

describe('incoming langsmith-project', () => {
  test.each([
    ['a name, URI-decoded', `langsmith-project=${encodeURIComponent('my project/é')}`, 'my project/é'],
    ['a name of 256 characters', `langsmith-project=${'p'.repeat(256)}`, 'p'.repeat(256)],
    ['a name of 257 characters: dropped', `langsmith-project=${'p'.repeat(257)}`, undefined],
    ['an empty name: dropped', 'langsmith-project=', undefined],
    ['a name with a control character: dropped', 'langsmith-project=a%0Ab', undefined],
    ['blanks around the key and value', '  langsmith-project =  p  ', 'p'],
    ['properties after the value are not part of it', 'langsmith-project=p;ttl=60', 'p'],
    ['a value that is not valid percent-encoding: the member is dropped', 'langsmith-project=%E0%A4%A', undefined],
    ['a member without "=" is skipped', 'langsmith-project,langsmith-project=p', 'p'],
    ['a key only ending in langsmith-project is not it', 'x-langsmith-project=p', undefined],
    ['a key with a character a token may not hold is skipped', 'langsmith-project"=p', undefined],
    ['the last of two members wins', 'langsmith-project=a,langsmith-project=b', 'b'],
  ])('%s', (_, member, project) => {
    expect(projectOf(member)).toBe(project);
  });

  test('several baggage lines are one list', () => {
    expect(incoming(['tenant=t', 'langsmith-project=p'])?.projectName).toBe('p');
  });
});

describe('incoming langsmith-metadata', () => {
  const metadataOf = (json: string) => incoming(`langsmith-metadata=${encodeURIComponent(json)}`)?.metadata;

  test.each([
    ['an object is taken', '{"tenant":"t-1","n":2,"nested":{"ok":true}}', { tenant: 't-1', n: 2, nested: { ok: true } }],
    ['an array is ignored', '[1,2]', {}],
    ['null is ignored', 'null', {}],
    ['a number is ignored', '42', {}],
    ['a string is ignored', '"text"', {}],
    ['text that is not JSON is ignored', '{tenant', {}],
  ])('%s', (_, json, metadata) => {
    expect(metadataOf(json)).toEqual(metadata);
  });

  test('a later member that does not parse leaves the earlier one', () => {
    const baggage = `langsmith-metadata=${encodeURIComponent('{"a":1}')},langsmith-metadata=%7Bbroken`;
    expect(incoming(baggage)?.metadata).toEqual({ a: 1 });
  });

  test('kept within its own limits: 64 keys, 5 levels, strings of 1 024 units', () => {
    expect([BAGGAGE_LIMITS.maxMetadataKeys, BAGGAGE_LIMITS.maxMetadataDepth, BAGGAGE_LIMITS.maxMetadataStringLength]).toEqual([64, 5, 1024]);
    const keys = Object.fromEntries(Array.from({ length: 66 }, (_, i) => [`k${i}`, i]));
    const kept = metadataOf(JSON.stringify(keys))!;
    expect(Object.keys(kept)).toHaveLength(65);
    expect(kept['k63']).toBe(63);
    expect(kept['…']).toBe('[2 more keys]');

    expect(metadataOf(JSON.stringify({ a: { b: { c: { d: { e: 'five' } } } } }))).toEqual({ a: { b: { c: { d: { e: 'five' } } } } });
    expect(metadataOf(JSON.stringify({ a: { b: { c: { d: { e: { f: 'six' } } } } } }))).toEqual({ a: { b: { c: { d: { e: '[Depth limit]' } } } } });

    expect(metadataOf(JSON.stringify({ s: 's'.repeat(1024) }))).toEqual({ s: 's'.repeat(1024) });
    expect(metadataOf(JSON.stringify({ s: 's'.repeat(1025) }))).toEqual({ s: `${'s'.repeat(1024)}...[truncated 1 chars]` });
  });
});

describe('the whole incoming header', () => {
  test('8 192 bytes are read; one byte more and the header is ignored whole', () => {
    expect(BAGGAGE_LIMITS.maxBytes).toBe(8192);
    const project = 'langsmith-project=p';
    const atLimit = `${filler(8192 - project.length - 1)},${project}`;
    expect(atLimit).toHaveLength(8192);
    expect(incoming(atLimit)?.projectName).toBe('p');
    expect(incoming(`x${atLimit}`)?.projectName).toBeUndefined();
  });

  test('the limit counts UTF-8 bytes, not characters', () => {
    const project = 'langsmith-project=p';
    // 8 190 characters, 8 193 bytes: "é" is two bytes.
    const text = `${filler(8192 - project.length - 1 - 6)}éééé,${project}`;
    expect(text).toHaveLength(8190);
    expect(incoming(text)?.projectName).toBeUndefined();
    expect(incoming(text.replace('éééé', 'éé'))?.projectName).toBe('p');
  });

  test('lines are counted joined, with the comma between them', () => {
    const project = 'langsmith-project=p';
    const first = filler(8192 - project.length - 1);
    expect(incoming([first, project])?.projectName).toBe('p');
    expect(incoming([`x${first}`, project])?.projectName).toBeUndefined();
  });

  test('the first 180 members within the 8 192 bytes are read, as OpenTelemetry’s propagator reads them: past 64 (the spec’s least) too', () => {
    expect(BAGGAGE_LIMITS.maxMembers).toBe(180);
    const others = (count: number) => Array.from({ length: count }, (_, i) => `k${i}=v`);
    expect(incoming([...others(64), 'langsmith-project=p'].join(','))?.projectName).toBe('p');
    expect(incoming([...others(179), 'langsmith-project=p'].join(','))?.projectName).toBe('p');
    // The first 180 are read, as OpenTelemetry reads them.
    expect(incoming([...others(180), 'langsmith-project=p'].join(','))?.projectName).toBeUndefined();
  });

  test('an empty header gives nothing, and the trace still continues', () => {
    expect(incoming('')).toMatchObject({ parentSpanId: '00f067aa0ba902b7', metadata: {}, tags: [], projectName: undefined });
  });
});

describe('outgoing baggage', () => {
  /** `langsmith-metadata=` + the encoded `{"k":"x…x"}`: 41 characters besides the `x`s. */
  const metadataOfLength = (length: number) => ({ k: 'x'.repeat(length - 41) });

  const headersWith = (metadata: Record<string, string>, tags = ['t1']) => traceable(() => Object.fromEntries(Object.entries(getTraceHeaders())), { name: 'call', tags, metadata })();
  const membersOf = (baggage: string | undefined) => (baggage ?? '').split(',').map((member) => member.split('=')[0]);

  test('each member within 4 096 bytes, as OpenTelemetry’s W3CBaggagePropagator keeps them: metadata leaves out its largest keys first', () => {
    installMemoryTracing();
    expect(BAGGAGE_LIMITS.maxMemberBytes).toBe(4096);
    expect(headersWith(metadataOfLength(4096)).baggage!.split(',')[0]).toHaveLength(4096);
    expect(membersOf(headersWith(metadataOfLength(4097)).baggage)).toEqual(['langsmith-tags', 'langsmith-project']);
    // Five values of up to 1 024 characters (what a receiver keeps of each): 5 135 bytes; without the largest, 4 096.
    const metadata = { tenant: 'acme', a: 'a'.repeat(1000), b: 'b'.repeat(1010), c: 'c'.repeat(1020), d: 'd'.repeat(990), e: 'e'.repeat(970) };
    const { c, ...withoutLargest } = metadata;
    expect(c).toHaveLength(1020);
    expect(headersWith(metadata).baggage!.split(',')[0]).toHaveLength(4096);
    expect(extractTraceContext(headersWith(metadata))?.metadata).toEqual(withoutLargest);
    // One byte more and the next largest goes as well, not the whole member: the tenant stays.
    const { b, ...withoutTwo } = { ...withoutLargest, tenant: 'acme!' };
    expect(b).toHaveLength(1010);
    expect(extractTraceContext(headersWith({ ...metadata, tenant: 'acme!' }))?.metadata).toEqual(withoutTwo);
  });

  test('the header within 8 192 bytes: project and tags keep their room, metadata fits in the rest; a tags member over 4 096 bytes is left out', () => {
    installMemoryTracing();
    // "langsmith-tags=" + 4 081 characters: the largest member kept.
    const tags = ['t'.repeat(4081)];
    const rest = 8192 - 4097 - 'langsmith-project=tests,'.length - 1;
    const full = headersWith(metadataOfLength(rest), tags).baggage!;
    expect(full).toHaveLength(8191);
    expect(membersOf(full)).toEqual(['langsmith-metadata', 'langsmith-tags', 'langsmith-project']);
    expect(membersOf(headersWith(metadataOfLength(rest + 1), tags).baggage)).toEqual(['langsmith-tags', 'langsmith-project']);
    expect(membersOf(headersWith({ a: '1' }, [`${tags[0]}t`]).baggage)).toEqual(['langsmith-metadata', 'langsmith-project']);
  });

  test('metadata through an OpenTelemetry hop (the real W3CBaggagePropagator, extract then inject) arrives as sent', () => {
    installMemoryTracing();
    const sent = headersWith({ tenant: 'acme', q: 'x,y;z=1 %', big: 'v'.repeat(4500) });
    const propagator = new W3CBaggagePropagator();
    const hop: Record<string, string> = {};
    propagator.inject(propagator.extract(ROOT_CONTEXT, sent, defaultTextMapGetter), hop, defaultTextMapSetter);
    expect(extractTraceContext({ traceparent: sent.traceparent, baggage: hop.baggage })?.metadata).toEqual({ tenant: 'acme', q: 'x,y;z=1 %' });
  });

  test('merged into a baggage header already there, ours are added while the whole stays within 8 192 bytes', () => {
    installMemoryTracing();
    const ours = ['langsmith-tags=t1', 'langsmith-project=tests'];
    const merged = (othersLength: number) =>
      traceable(() => injectTraceHeaders({ baggage: filler(othersLength) }), { name: 'call', tags: ['t1'] })().baggage as string;
    // Room for both: others, then each of ours after a comma.
    const both = 8192 - ours[0]!.length - ours[1]!.length - 2;
    expect(merged(both)).toHaveLength(8192);
    expect(merged(both).split(',').slice(1)).toEqual(ours);
    // One byte less room: the project no longer fits; the tags, before it, still do.
    expect(merged(both + 1).split(',').slice(1)).toEqual([ours[0]]);
    // Exactly room for the tags.
    expect(merged(8192 - ours[0]!.length - 1)).toHaveLength(8192);
    expect(merged(8192 - ours[0]!.length).split(',')).toHaveLength(1);
  });
});
