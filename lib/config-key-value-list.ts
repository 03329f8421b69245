import { refuse, type HiddenValue } from './errors.js';

/** @internal How one of OpenTelemetry's `key=value,…` variables is read, and how its errors speak. */
export interface KeyValueList {
  /** The variable, named in errors with the entry's number. */
  readonly setting: string;
  /** An example of the form, for the error of an entry without `key=`. */
  readonly example: string;
  /** Stands in for an entry in errors when its text may be a secret (a header value); else the entry is shown. */
  readonly hidden?: HiddenValue;
  /** Keys are percent-decoded too (`OTEL_RESOURCE_ATTRIBUTES`), not only values. */
  readonly decodeKeys?: boolean;
}

/**
 * @internal Reads `key=value,key2=value2`, the W3C Baggage-like form of
 * OpenTelemetry's list variables (`OTEL_EXPORTER_OTLP_HEADERS`,
 * `OTEL_RESOURCE_ATTRIBUTES`): entries trimmed, empty ones skipped, the
 * value everything after the first `=`, percent-decoded. `add` gets each
 * key and value with `where` (the variable and the entry's number) for
 * errors of its own. An entry without a key, or with a bad `%` escape, is
 * refused as `where`: a variable that is half read would send a request or
 * a resource other than the one configured, and every other bad variable
 * is refused too.
 */
export function readKeyValueList(raw: string, list: KeyValueList, add: (key: string, value: string, where: string) => void): void {
  raw.split(',').forEach((entry, index) => {
    const trimmed = entry.trim();
    if (trimmed === '') return;
    const at = entry.indexOf('=');
    const where = `${list.setting} (entry ${index + 1})`;
    const shown = list.hidden ?? trimmed;
    const key = at < 0 ? '' : entry.slice(0, at).trim();
    if (key === '') refuse(where, shown, `comma-separated key=value pairs, e.g. ${list.example}`);
    let value: string;
    let name = key;
    try {
      value = decodeURIComponent(entry.slice(at + 1).trim());
      if (list.decodeKeys === true) name = decodeURIComponent(key);
    } catch {
      refuse(where, shown, `a ${list.decodeKeys === true ? 'key and value' : 'value'} whose % escapes are valid URL encoding (e.g. %20 for a space)`);
    }
    add(name, value, where);
  });
}
