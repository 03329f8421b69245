/**
 * @internal `node:util`'s parts tracewire uses, imported in one place: a
 * bundle then loads the module once, under one name, for the JSONL exporter
 * and the HTTP transport both.
 */
export { promisify, types } from 'node:util';
