/**
 * Every RxJS import in the runtime goes through here, on purpose as deep
 * imports. Under Node's `node` export condition `rxjs` resolves to its
 * CommonJS build, which bundlers cannot tree-shake: importing one class from
 * `rxjs` pulls the whole library into a serverless bundle (~147 KB) and costs
 * tens of milliseconds of cold start. `rxjs/internal/*` is an exported
 * subpath whose modules require only their own dependencies. The built
 * package carries those modules, from rxjs's ES2015 build, as one module of
 * its own (scripts/carry-rxjs-esm.mjs: half the bytes of the CommonJS build a
 * Node bundle would get), which Node's one-file entries bundle in turn
 * (scripts/bundle-node.mjs, which refuses any other rxjs import).
 */
export { Observable } from 'rxjs/internal/Observable';
export type { Subscribable, Unsubscribable } from 'rxjs/internal/types';
export { Subscription } from 'rxjs/internal/Subscription';
export type { Subscriber } from 'rxjs/internal/Subscriber';
export type { OperatorFunction, SchedulerAction, SchedulerLike } from 'rxjs/internal/types';
