/** Resolves after `millis`. */
export const sleep = (millis: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, millis));

/** Resolves once `condition()` holds, or after `millis` (polled every 25 ms): the test's assertions then say what did not happen. */
export async function until(condition: () => boolean, millis: number): Promise<void> {
  for (const deadline = Date.now() + millis; !condition() && Date.now() < deadline; ) await sleep(25);
}
