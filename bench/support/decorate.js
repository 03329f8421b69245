'use strict';

/** Applies a legacy (experimentalDecorators) method decorator by hand, as TS would emit it. */
function decorateMethod(decorator, Class, key) {
  const desc = Object.getOwnPropertyDescriptor(Class.prototype, key);
  const out = decorator(Class.prototype, key, desc);
  Object.defineProperty(Class.prototype, key, out || desc);
}

module.exports = { decorateMethod };
