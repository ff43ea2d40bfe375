// Readiness waits for processes a test starts itself.

/** Polls `url` until it answers 2xx; fails after `timeoutMs`, or as soon as `gaveUp()` says so. */
export async function waitUntilReady(
  url: string,
  timeoutMs: number,
  gaveUp: () => string | undefined = () => undefined,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ready = await fetch(url)
      .then((r) => r.ok)
      .catch(() => false); // not listening yet
    if (ready) return;
    const reason = gaveUp();
    if (reason !== undefined) throw new Error(`${url} will not become ready: ${reason}`);
    if (Date.now() > until) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await Bun.sleep(200);
  }
}
