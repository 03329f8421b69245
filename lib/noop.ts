/** @internal Does nothing: the handler of a promise whose outcome nobody needs, and a callback that needs no answer. */
export function noop(): void {}
