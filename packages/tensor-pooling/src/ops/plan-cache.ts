/**
 * A bounded cache of plans by op, input shape and options. Planning a small op costs about as much
 * as running it (window tables, validation): a loop calling `avgPool(x, { kernel: 2 })` on a small
 * map plans once. Plans are frozen, so sharing one between calls is safe.
 *
 * The options a key is made of are the snapshot readOptions took (src/plan/validate.ts): the
 * values the planner will read, read once, so what is cached is what was asked. Snapshots of small
 * plain values (numbers, strings, booleans, short arrays of them) are cached, under a key that
 * keeps their types apart; anything else (an invalid shape, an object-valued option) plans afresh,
 * so every error is still raised by the planner itself. Options that choose how a plan runs
 * (backend, threads) are not part of the key.
 */
import { isPlan, type PoolPlan } from '../plan/plan.js';

/** Distinct (op, shape, options) a program keeps calling: a network has a few dozen pooling layers. */
const CAPACITY = 64;
/** Longer arrays (masks, per-sample lengths) are data, not options worth a key. */
const MAX_ARRAY_LENGTH = 16;
const RUN_ONLY_OPTIONS = new Set(['backend', 'threads']);

const plans = new Map<string, PoolPlan>();
let lastKey: string | undefined;
let lastPlan: PoolPlan | undefined;

function encodeValue(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'undefined':
      return 'undefined';
  }
  if (value === null) return 'null';
  if (!Array.isArray(value) || depth > 1 || value.length > MAX_ARRAY_LENGTH) return undefined;
  let encoded = '[';
  for (const item of value as unknown[]) {
    const part = encodeValue(item, depth + 1);
    if (part === undefined) return undefined;
    encoded += `${part},`;
  }
  return `${encoded}]`;
}

/**
 * The cache key of a call, or undefined when the call is not cacheable. `planner` names what turns
 * the options into a plan (one op name may be planned by several planners, e.g. poolOutputShape).
 */
export function planKey(planner: string, op: string, shape: unknown, options: unknown): string | undefined {
  if (!Array.isArray(shape) || typeof options !== 'object' || options === null || Array.isArray(options)) return undefined;
  let key = `${planner} ${op}(`;
  for (const d of shape as unknown[]) {
    if (typeof d !== 'number') return undefined;
    key += `${d},`;
  }
  key += ')';
  for (const name of Object.keys(options)) {
    if (RUN_ONLY_OPTIONS.has(name)) continue;
    const part = encodeValue((options as Record<string, unknown>)[name], 0);
    if (part === undefined) return undefined;
    key += `${name}=${part};`;
  }
  return key;
}

/**
 * The plan of this call: from the cache, else from `build` (which validates and may throw). A
 * build may also answer with something other than a plan (a dialect's empty result, whose shape is
 * all there is to it): that is returned as it is and not kept.
 */
export function cachedPlan<Other = never>(
  planner: string,
  op: string,
  shape: readonly number[],
  options: unknown,
  build: () => PoolPlan | Other,
): PoolPlan | Other {
  const key = planKey(planner, op, shape, options);
  if (key === undefined) return build();
  // A loop calls with one key: it is already the most recently used.
  if (key === lastKey) return lastPlan!;
  const hit = plans.get(key);
  if (hit) {
    lastKey = key;
    lastPlan = hit;
    // Most recently used last: eviction takes the first.
    plans.delete(key);
    plans.set(key, hit);
    return hit;
  }
  const plan = build();
  if (!isPlan(plan)) return plan;
  if (plans.size >= CAPACITY) plans.delete(plans.keys().next().value!);
  plans.set(key, plan);
  lastKey = key;
  lastPlan = plan;
  return plan;
}

/** Empties the cache (tests). */
export function clearPlanCache(): void {
  plans.clear();
  lastKey = undefined;
  lastPlan = undefined;
}

export function planCacheSize(): number {
  return plans.size;
}
