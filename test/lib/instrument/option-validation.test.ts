import { traceable, TracewireConfigError } from '../../../index';

/** Options that cannot be what the caller meant fail when the function is wrapped, naming the option and what it takes. */
test.each([
  ['a string (a name given in place of the options)', 'fetchUser', /Invalid Traceable options: received "fetchUser"; expected an options object or nothing\./],
  ['a number', 5, /Invalid Traceable options: received 5; expected an options object or nothing\./],
  ['true', true, /Invalid Traceable options: received true; expected an options object or nothing\./],
  ['null', null, /Invalid Traceable options: received null; expected an options object or nothing\./],
])('options that are %s are refused', (_, options, message) => {
  expect(() => traceable(() => 1, options as never)).toThrow(TracewireConfigError);
  expect(() => traceable(() => 1, options as never)).toThrow(message);
});

test.each([
  ['a string', 'tenant=t-1'],
  ['an array', [['tenant', 't-1']]],
  ['null', null],
  ['a number', 7],
])('metadata that is %s is refused: metadata is a plain object', (_, metadata) => {
  expect(() => traceable(() => 1, { metadata: metadata as never })).toThrow(TracewireConfigError);
  expect(() => traceable(() => 1, { metadata: metadata as never })).toThrow(/Invalid metadata: .*expected a plain object\./);
});

test('metadata that is a plain object, or absent, is taken', () => {
  expect(traceable(() => 1, { metadata: { tenant: 't-1' } })()).toBe(1);
  expect(traceable(() => 2, {})()).toBe(2);
});
