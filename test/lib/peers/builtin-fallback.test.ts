/**
 * Before Node 20.16 there is no `process.getBuiltinModule`: a built-in is
 * then loaded through a `require` made for the working directory.
 */
test('without process.getBuiltinModule a built-in still loads, once, through a require of its own', () => {
  const saved = Object.getOwnPropertyDescriptor(process, 'getBuiltinModule');
  delete (process as { getBuiltinModule?: unknown }).getBuiltinModule;
  try {
    jest.isolateModules(() => {
      const { lazyBuiltin } = require('../../../lib/peers/node-builtin') as typeof import('../../../lib/peers/node-builtin');
      const zlib = lazyBuiltin<typeof import('node:zlib')>('node:zlib');
      expect(typeof zlib().gzipSync).toBe('function');
      expect(zlib()).toBe(zlib());
      expect(typeof lazyBuiltin<typeof import('node:path')>('node:path')().join).toBe('function');
    });
  } finally {
    if (saved) Object.defineProperty(process, 'getBuiltinModule', saved);
  }
});
