// Polls `fn` until it returns something truthy, or fails after `timeoutMs`
// naming what it waited for. `ignoreErrors`: a throwing poll counts as "not
// yet" (a server still starting refuses connections).
export async function pollUntil<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs, intervalMs, ignoreErrors = false }: { timeoutMs: number; intervalMs: number; ignoreErrors?: boolean },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const poll = Promise.resolve().then(fn);
    const value = await (ignoreErrors ? poll.catch(() => undefined) : poll);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
