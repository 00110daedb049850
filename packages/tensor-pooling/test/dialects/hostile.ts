/**
 * Hostile arguments for the dialects' door: values of the wrong type, objects whose answers change
 * between reads, lists that claim more elements than memory holds. Every dialect function must
 * turn each of them into a coded PoolingError, quickly, with a short message.
 */
import assert from 'node:assert/strict';
import { PoolingError } from '../../src/index.js';

/** What a caller might pass where a tensor, an index tensor, an options object or a list belongs. */
export const WRONG_TYPES: readonly unknown[] = [null, undefined, 0, 2.5, NaN, 'x', true, [], [1, 2], Symbol('s'), 10n, () => 1];

/** Lists whose length alone must refuse them: a sparse array of 2**32 - 1 holes, a Proxy claiming 2**40. */
export function hugeLists(): unknown[] {
  const claims = new Proxy([2], { get: (target, key) => (key === 'length' ? 2 ** 40 : Reflect.get(target, key)) });
  return [new Array(2 ** 32 - 1), claims];
}

/** An object every operation on which throws TypeError (a revoked Proxy). */
export function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** A Proxy around `target` counting reads of each property. */
export function counting<T extends object>(target: T): { proxy: T; reads: Map<PropertyKey, number> } {
  const reads = new Map<PropertyKey, number>();
  const proxy = new Proxy(target, {
    get(t, key, receiver) {
      reads.set(key, (reads.get(key) ?? 0) + 1);
      return Reflect.get(t, key, receiver);
    },
  });
  return { proxy, reads };
}

/** An options object whose `key` answers `first` on the first read and `later` on every read after. */
export function flipping(base: Record<string, unknown>, key: string, first: unknown, later: unknown): Record<string, unknown> {
  let reads = 0;
  const options = { ...base };
  Object.defineProperty(options, key, { enumerable: true, get: () => (reads++ === 0 ? first : later) });
  return options;
}

/**
 * The call throws a PoolingError (with `code` when given) with a message under 400 characters, and returns within
 * 2 s: a guard against walking a list of 2^32 claimed items (minutes), loose enough for a loaded 2-core machine.
 */
export function refuses(call: () => unknown, code?: string, context = ''): PoolingError {
  const started = performance.now();
  let caught: unknown;
  try {
    call();
  } catch (error) {
    caught = error;
  }
  const elapsed = performance.now() - started;
  assert.ok(caught instanceof PoolingError, `${context}: expected a PoolingError, got ${caught === undefined ? 'a result' : String(caught)}`);
  if (code !== undefined) assert.equal(caught.code, code, `${context}: ${caught.message}`);
  assert.ok(caught.message.length < 400, `${context}: message of ${caught.message.length} characters`);
  assert.ok(elapsed < 2000, `${context}: took ${elapsed.toFixed(0)} ms`);
  return caught;
}

/** Every property of every object the call reads is read at most once. */
export function assertReadOnce(reads: Map<PropertyKey, number>, context: string): void {
  for (const [key, count] of reads) assert.ok(count <= 1, `${context}: ${String(key)} read ${count} times`);
}

/** A test label for any value, revoked Proxies included. */
export function label(value: unknown): string {
  try {
    return typeof value === 'symbol' ? value.toString() : Array.isArray(value) ? `[${value.length} items]` : String(value);
  } catch {
    return 'a revoked Proxy';
  }
}
