/**
 * Fields that hold a secret inside a class instance: an SDK client's or a
 * database connection's own state, walked when a traced function is given
 * the client (`answer(openai, question)`, `save(db, row)`).
 *
 * Why: the OpenAI client keeps its key as `apiKey` (and again in
 * `_options`); database drivers and cloud SDKs keep `password`,
 * `secretAccessKey`, `sessionToken` in their configuration. Walked like any
 * object, a traced `answer(openai, question)` recorded the OpenAI key in its
 * inputs (6.5 KB of them, measured with openai 6.49). Only beneath a class
 * instance (or an error): a plain
 * object is the program's data, recorded as given (langsmith records it so;
 * `redact` hooks and `captureInputs` hide data), while an instance's fields
 * are its internals, which a reader of the trace does not need in clear.
 */
const FIELDS = new Set([
  'apikey',
  'password',
  'passwd',
  'secret',
  'clientsecret',
  'accesstoken',
  'refreshtoken',
  'authtoken',
  'sessiontoken',
  'secretaccesskey',
  'privatekey',
  'token',
  'connectionstring',
]);
const SEPARATORS = /[-_]/g;

/** Whether `key` of an object beneath a class instance names a secret (any case, `_` and `-` ignored: `api_key`, `API-KEY`). */
export function isSecretField(key: string): boolean {
  const n = key.length;
  return n >= 5 && n <= 20 && FIELDS.has(key.toLowerCase().replace(SEPARATORS, ''));
}
