/**
 * Polls until `get` returns something (a state reached), or fails naming what it waited for, with the
 * context `explain` gives (service logs). Tests wait for states this way, never for a fixed time.
 */
export async function waitFor<T>(what: string, get: () => T | undefined | Promise<T | undefined>, timeoutMs: number, explain: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${explain()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
