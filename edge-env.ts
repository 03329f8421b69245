/**
 * tracewire for edge runtimes that have a process environment — Deno (the
 * `deno` condition) and Vercel Edge (`edge-light`): everything `edge.ts`
 * exports, and set-up from the environment alone, as on Node (the first
 * traced call builds a client from `LANGSMITH_*`, `TRACEWIRE_*` or
 * `OTEL_*`). An entry of its own because that set-up reaches every exporter
 * by name: ≈ 37 KB more in a bundle, which workerd, where there is
 * no environment, does not pay.
 */
import './lib/client/edge-env-global-client.js';

export * from './edge.js';
