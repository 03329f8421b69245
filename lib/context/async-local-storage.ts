/**
 * Node's `AsyncLocalStorage`, imported in one module: a bundle then loads node:async_hooks once, under one name (the
 * span context and the invocation deadline's storage both use it). Apart from span-context.ts so that module's
 * declarations name no Node module.
 */
export { AsyncLocalStorage } from 'node:async_hooks';
