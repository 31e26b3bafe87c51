/**
 * Long synchronous loops in a test (fuzzing, mutation sweeps) must let the worker's event loop run
 * now and then. A vitest worker reports progress to the main process over an RPC channel with a
 * fixed 60 s timeout (birpc's DEFAULT_TIMEOUT, not configurable: vitest-dev/vitest#11082); a
 * worker that never yields leaves the reply unread, the timer fires first, and a run whose every
 * test passed exits 1 with `Timeout calling "onTaskUpdate"` (seen under the stress script's CPU
 * hog plus parallel builds). `await breath()` in the loop yields (setImmediate: past the poll
 * phase, where the reply waits) at most every `everyMs` of work.
 */
export function breather(everyMs = 500): () => Promise<void> {
  let last = Date.now();
  return async () => {
    if (Date.now() - last < everyMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    last = Date.now();
  };
}
