import type { OpenSpool } from '../pipeline/spool-provider.js';
import { SpoolFallback } from '../pipeline/spool-fallback.js';
import { SpoolStore } from './spool-store.js';

/** @internal The Node entry's spool: batches delivery gave up on, kept as files in `dir`. */
export const openSpool: OpenSpool = (dir, maxBytes, send, counters, warnings, closes) => new SpoolFallback(new SpoolStore({ dir, maxBytes }), send, counters, warnings, closes);
