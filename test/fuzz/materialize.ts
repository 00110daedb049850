/**
 * The worker's side of recipes: builds the live (possibly hostile) values, and keeps the
 * resources they hold (WebAssembly tensors, TF.js tensors) so they can be released after the call.
 */
import { fillValue, isSpecial, TAG, type Recipe, type Special } from './recipe.js';

/** What the worker has loaded: the library, and TF.js once a tfjs door needs it. */
export interface Context {
  readonly lib: typeof import('tensor-pooling');
  readonly tf?: typeof import('@tensorflow/tfjs-core');
  /** Run after the call: frees WasmTensors, disposes TF.js tensors. */
  readonly cleanups: (() => void)[];
  /** The call's arguments built so far (see 'aliasView'). */
  readonly built?: readonly unknown[];
}

const TYPED: Record<string, new (n: number | ArrayBufferLike, offset?: number, length?: number) => ArrayLike<number | bigint> & { set(a: ArrayLike<number | bigint>): void }> = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint8Array,
  Int8Array,
  Uint16Array,
  Int16Array,
  Uint8ClampedArray,
  BigInt64Array: BigInt64Array as never,
};

function typedValues(s: Special): (number | bigint)[] {
  const type = s['type'] as string;
  const length = s['length'] as number;
  const seed = (s['seed'] as number | undefined) ?? 1;
  const explicit = s['values'] as number[] | undefined;
  const range = s['range'] as [number, number] | undefined;
  const planes = s['planes'] as [number, number] | undefined;
  const big = type === 'BigInt64Array';
  const values: (number | bigint)[] = [];
  for (let i = 0; i < length; i++) {
    let v: number;
    if (explicit) v = explicit[i]!;
    else if (planes) v = Math.floor(i / planes[0]) * planes[1] + (Math.abs(Math.imul(seed, 2654435761) ^ (i * 40503)) % planes[1]);
    else if (range) v = range[0] + (Math.abs(Math.imul(seed + i, 2654435761) ^ (i * 97)) % (range[1] - range[0]));
    else v = fillValue(seed, i);
    if (big) values.push(BigInt(Number.isFinite(v) ? Math.trunc(v) : 0));
    else values.push(type.startsWith('Float') ? v : Number.isFinite(v) ? Math.trunc(v) : 0);
  }
  return values;
}

function makeTyped(s: Special, buffer?: (bytes: number) => ArrayBufferLike, byteOffset = 0): ArrayLike<number | bigint> {
  const type = s['type'] as string;
  const Ctor = TYPED[type] ?? Float32Array;
  const values = typedValues(s);
  const width = (Ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  const array = buffer ? new Ctor(buffer(byteOffset + values.length * width), byteOffset, values.length) : new Ctor(values.length);
  array.set(values as never);
  return array;
}

/** The typed recipe under a wrapper. */
function innerTyped(of: Recipe): Special {
  if (isSpecial(of) && of[TAG] === 'typed') return of;
  return { [TAG]: 'typed', type: 'Float32Array', length: 4, seed: 1 } as Special;
}

function definePlain(target: object, entries: [string, unknown][]): void {
  for (const [key, value] of entries) Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

export function materialize(r: Recipe, ctx: Context): unknown {
  if (r === null || typeof r !== 'object') return r;
  if (Array.isArray(r)) return r.map((v) => materialize(v, ctx));
  if (!isSpecial(r)) {
    const out = {};
    definePlain(out, Object.entries(r).map(([k, v]) => [k, materialize(v, ctx)]));
    return out;
  }
  return special(r, ctx);
}

function special(s: Special, ctx: Context): unknown {
  const m = (key: string) => materialize(s[key], ctx);
  switch (s[TAG]) {
    case 'typed':
      return makeTyped(s);
    case 'symbol':
      return Symbol('fuzz');
    case 'fn': {
      const returns = m('returns');
      return s['throws'] ? () => { throw new Error('fuzz callback'); } : () => returns;
    }
    case 'nullProto': {
      const out = Object.create(null) as object;
      definePlain(out, Object.entries(s['fields'] as Record<string, Recipe>).map(([k, v]) => [k, materialize(v, ctx)]));
      return out;
    }
    case 'arrayLike': {
      const out: Record<string, unknown> = { length: s['length'] };
      for (const [k, v] of Object.entries((s['items'] as Record<string, Recipe> | undefined) ?? {})) out[k] = materialize(v, ctx);
      return out;
    }
    case 'deep': {
      let node: unknown = [1];
      for (let i = 1; i < (s['depth'] as number); i++) node = [node];
      return node;
    }
    case 'bigArray':
      return new Array<unknown>(s['length'] as number).fill(m('fill'));
    case 'sparse': {
      const out = new Array<unknown>(s['length'] as number);
      for (const [k, v] of Object.entries(s['items'] as Record<string, Recipe>)) out[Number(k)] = materialize(v, ctx);
      return out;
    }
    case 'longString':
      return String(s['char']).repeat(s['length'] as number);
    case 'frozen':
      return Object.freeze(m('of'));
    case 'proxyFlip': {
      const target = m('of') as Record<string, unknown>;
      const key = s['key'] as string;
      const other = m('other');
      let reads = 0;
      return new Proxy(target, {
        get(t, p, receiver) {
          if (p === key) return reads++ % 2 === 0 ? t[key] : other;
          return Reflect.get(t, p, receiver);
        },
      });
    }
    case 'getterFlip': {
      const target = { ...(m('of') as Record<string, unknown>) };
      const key = s['key'] as string;
      const first = target[key];
      const other = m('other');
      let reads = 0;
      Object.defineProperty(target, key, { get: () => (reads++ % 2 === 0 ? first : other), enumerable: true, configurable: true });
      return target;
    }
    case 'inherited': {
      const source = m('of') as Record<string, unknown>;
      const keys = s['keys'] === 'all' ? Object.keys(source) : (s['keys'] as string[]);
      const proto: Record<string, unknown> = {};
      const own: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(source)) (keys.includes(k) ? proto : own)[k] = v;
      return Object.assign(Object.create(proto) as object, own);
    }
    case 'lyingTyped': {
      const inner = innerTyped(s['of']);
      const real = makeTyped(inner);
      const claim = s['claim'] as number;
      const Base = real.constructor as new (n: number) => ArrayLike<number>;
      const Lying = class extends (Base as unknown as new (n: number) => object) {
        get length(): number {
          return claim;
        }
      } as unknown as new (n: number) => ArrayLike<number> & { set(a: ArrayLike<number>): void };
      Object.defineProperty(Lying, 'name', { value: Base.name });
      const out = new Lying(real.length);
      out.set(real as ArrayLike<number>);
      return out;
    }
    case 'lyingArray': {
      const target = m('of') as unknown[];
      const claim = s['claim'] as number;
      return new Proxy(target, { get: (t, p, receiver) => (p === 'length' ? claim : Reflect.get(t, p, receiver)) });
    }
    case 'detached': {
      const inner = innerTyped(s['of']);
      const array = makeTyped(inner) as unknown as { buffer: ArrayBuffer };
      structuredClone(array.buffer, { transfer: [array.buffer] });
      return array;
    }
    case 'offsetView':
      return makeTyped(innerTyped(s['of']), (bytes) => new ArrayBuffer(bytes + 16), s['byteOffset'] as number);
    case 'sharedTyped':
      return makeTyped(innerTyped(s['of']), (bytes) => new SharedArrayBuffer(bytes));
    case 'subclassTyped': {
      const real = makeTyped(innerTyped(s['of']));
      const Base = real.constructor as new (n: number) => ArrayLike<number> & { set(a: ArrayLike<number>): void };
      const Sub = class extends (Base as unknown as new (n: number) => object) {} as unknown as typeof Base;
      const out = new Sub(real.length);
      out.set(real as ArrayLike<number>);
      return out;
    }
    case 'symbolKey': {
      const out = m('of') as Record<string | symbol, unknown>;
      out[Symbol('fuzz')] = 'ignored';
      return out;
    }
    case 'hiddenKey': {
      const out = m('of') as object;
      Object.defineProperty(out, 'hidden', { value: 'ignored', enumerable: false });
      return out;
    }
    case 'hideKey': {
      const out = m('of') as object;
      Object.defineProperty(out, s['key'] as string, { enumerable: false });
      return out;
    }
    case 'prototypeGetters': {
      // As a class with accessors: non-enumerable getters on the prototype, nothing own.
      const values = m('of') as Record<string, unknown>;
      const proto = {};
      for (const [k, v] of Object.entries(values)) Object.defineProperty(proto, k, { get: () => v, enumerable: false, configurable: true });
      return Object.create(proto) as object;
    }
    case 'aliasView': {
      // A tensor over the same memory as an earlier argument's data (a WasmTensor's too).
      const of = ctx.built?.[s['arg'] as number] as { data: Float32Array } | undefined;
      if (!of) throw new Error(`harness: aliasView of argument ${String(s['arg'])}, which is not built yet`);
      const shape = s['shape'] as number[];
      const count = shape.reduce((p, d) => p * d, 1);
      const Ctor = of.data.constructor as Float32ArrayConstructor;
      return { shape, data: new Ctor(of.data.buffer, of.data.byteOffset + (s['byteOffset'] as number), count) };
    }
    case 'strayWasmView': {
      // A view of WebAssembly memory from its first byte, where no WasmTensor lives (address 0 is never handed out).
      const t = ctx.lib.allocWasmTensor([1]);
      ctx.cleanups.push(() => t.free());
      const shape = s['shape'] as number[];
      return { shape, data: new Float32Array(t.data.buffer, 0, shape.reduce((p, d) => p * d, 1)) };
    }
    case 'wasmTensor':
    case 'freedWasmTensor': {
      const t = ctx.lib.toWasmTensor(m('of') as never);
      if (s[TAG] === 'freedWasmTensor') t.free();
      else ctx.cleanups.push(() => t.free());
      return t;
    }
    case 'wasmHeap':
      return (ctx.lib.allocWasmTensor([1]) as unknown as { heap: unknown }).heap;
    case 'wasmAddress': {
      const heap = (ctx.lib.allocWasmTensor([1]) as unknown as { heap: { alloc(bytes: number): number } }).heap;
      return heap.alloc(s['bytes'] as number);
    }
    case 'plan':
      return makePlan(s, ctx);
    case 'tamperedPlan': {
      // Plans no longer hand out their window tables (windowsOf is the library's own): where a
      // plan has none to reach, the tampering finds nothing to write.
      const plan = materialize(s['of'], ctx) as { windows?: Record<string, Int32Array>[] };
      const table = plan.windows?.[s['axis'] as number]?.[s['table'] as string];
      if (table) table[s['index'] as number] = s['value'] as number;
      return plan;
    }
    case 'spreadPlan': {
      const plan = materialize(s['of'], ctx) as object;
      return { ...plan, [s['field'] as string]: m('value') };
    }
    case 'tfTensor': {
      const tf = ctx.tf;
      if (!tf) throw new Error('harness: TF.js is not loaded in this worker');
      const shape = s['shape'] as number[];
      const length = shape.reduce((p, d) => p * d, 1);
      const seed = s['seed'] as number;
      const dtype = s['dtype'] as 'float32' | 'bool';
      const values = Array.from({ length }, (_, i) => (dtype === 'bool' ? (fillValue(seed, i) > 0 ? 1 : 0) : fillValue(seed, i)));
      const t = tf.tensor(values, shape, dtype);
      ctx.cleanups.push(() => t.dispose());
      return t;
    }
    case 'callback':
      return callback(s, ctx);
  }
}

function makePlan(s: Special, ctx: Context): unknown {
  const shape = materialize(s['shape'], ctx) as number[];
  const options = materialize(s['options'], ctx) as never;
  switch (s['maker']) {
    case 'max':
      return ctx.lib.planMaxPool(shape, options);
    case 'lp':
      return ctx.lib.planLpPool(shape, options);
    default:
      return ctx.lib.planAvgPool(shape, options);
  }
}

function callback(s: Special, ctx: Context): unknown {
  const lib = ctx.lib;
  const x = lib.tensor([1, 1, 4, 4], Float32Array.from({ length: 16 }, (_, i) => i));
  switch (s['body']) {
    case 'avgPool':
      return () => lib.avgPool(x, { kernel: 2 });
    case 'nothing':
      return () => 42;
    case 'nested':
      return () => lib.observeRuns(() => lib.maxPool(x, { kernel: 2 })).result;
    case 'torchCeil':
      return () => lib.torch.avgPool2d(x, { kernel_size: 3, ceil_mode: true });
    case 'maxUnpool':
      return () => lib.maxUnpool(lib.tensor([1, 1, 2, 2], Float32Array.of(1, 2, 3, 4)), { shape: [1, 1, 2, 2], data: Int32Array.of(0, 3, 8, 15) }, { kernel: 2 });
    case 'resolves':
      return async () => 1;
    case 'poolOutputShape': {
      const options = materialize(s['options'], ctx) as never;
      return (shape: readonly number[]) => lib.poolOutputShape(shape, options);
    }
    default:
      return () => undefined;
  }
}
