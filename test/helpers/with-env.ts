/** Sets environment variables (undefined deletes); returns what they were. */
function apply(values: Record<string, string | undefined>): Record<string, string | undefined> {
  const saved = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  return saved;
}

/** Runs `body` with environment variables set (undefined deletes), then restores them. */
export function withEnv<T>(values: Record<string, string | undefined>, body: () => T): T {
  const saved = apply(values);
  try {
    return body();
  } finally {
    apply(saved);
  }
}

/** {@link withEnv} for an async `body`: the variables stay set until it settles. */
export async function withEnvAsync<T>(values: Record<string, string | undefined>, body: () => Promise<T>): Promise<T> {
  const saved = apply(values);
  try {
    return await body();
  } finally {
    apply(saved);
  }
}
