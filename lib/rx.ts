/**
 * Every RxJS import in the runtime goes through here, on purpose as deep
 * imports. Under Node's `node` export condition `rxjs` resolves to its
 * CommonJS build, which bundlers cannot tree-shake: importing one class from
 * `rxjs` pulls the whole library into a serverless bundle (~147 KB) and costs
 * tens of milliseconds of cold start. `rxjs/internal/*` is an exported
 * subpath whose modules require only their own dependencies. Node's
 * one-file entries carry these modules in them (scripts/bundle-node.mjs,
 * which refuses any other rxjs import).
 */
export { Observable } from 'rxjs/internal/Observable';
export type { Subscribable, Unsubscribable } from 'rxjs/internal/types';
export { Subscription } from 'rxjs/internal/Subscription';
export type { Subscriber } from 'rxjs/internal/Subscriber';
export type { OperatorFunction, SchedulerAction, SchedulerLike } from 'rxjs/internal/types';
