/**
 * Node's `AsyncLocalStorage` for the span context and the invocation deadline's storage. A module of its own so that
 * span-context.ts's declarations name no Node module (TypeScript 6 includes no Node types unless a project lists them).
 */
export { AsyncLocalStorage } from 'node:async_hooks';
