/**
 * Recipes: arguments described as plain data. The parent process generates them with fast-check
 * (so every call is replayable from a seed and shrinkable), posts them to the worker that runs the
 * call, and prints them in defect reports. Only the worker turns a recipe into its live value,
 * because the hostile ones (symbols, functions, proxies, getters, detached buffers, typed arrays
 * whose `length` lies) cannot cross a structured clone.
 *
 * A recipe is a primitive, an array of recipes, a plain object of recipes, or a special node
 * `{ $fuzz: kind, ...params }` for everything a literal cannot spell.
 */

export const TAG = '$fuzz';

export type Recipe =
  | null
  | undefined
  | boolean
  | number
  | string
  | bigint
  | readonly Recipe[]
  | { readonly [key: string]: Recipe };

export type SpecialKind =
  | 'typed'
  | 'symbol'
  | 'fn'
  | 'nullProto'
  | 'arrayLike'
  | 'deep'
  | 'bigArray'
  | 'sparse'
  | 'longString'
  | 'frozen'
  | 'proxyFlip'
  | 'getterFlip'
  | 'inherited'
  | 'lyingTyped'
  | 'lyingArray'
  | 'detached'
  | 'offsetView'
  | 'sharedTyped'
  | 'subclassTyped'
  | 'symbolKey'
  | 'hiddenKey'
  | 'hideKey'
  | 'prototypeGetters'
  | 'aliasView'
  | 'strayWasmView'
  | 'wasmTensor'
  | 'freedWasmTensor'
  | 'wasmHeap'
  | 'wasmAddress'
  | 'plan'
  | 'tamperedPlan'
  | 'spreadPlan'
  | 'tfTensor'
  | 'callback';

export type Special = { readonly [TAG]: SpecialKind; readonly [key: string]: Recipe };

export function special(kind: SpecialKind, params: { readonly [key: string]: Recipe } = {}): Special {
  return { [TAG]: kind, ...params } as Special;
}

export function isSpecial(r: Recipe): r is Special {
  return typeof r === 'object' && r !== null && !Array.isArray(r) && TAG in r;
}

export function isPlainObject(r: Recipe): r is { readonly [key: string]: Recipe } {
  return typeof r === 'object' && r !== null && !Array.isArray(r) && !(TAG in r);
}

export type TypedName =
  | 'Float32Array'
  | 'Float64Array'
  | 'Int32Array'
  | 'Uint8Array'
  | 'Int8Array'
  | 'Uint16Array'
  | 'Int16Array'
  | 'Uint8ClampedArray'
  | 'BigInt64Array';

/** A typed array of `length` values filled from `seed` (see `fillValue`), or of explicit `values`. */
export function typed(type: TypedName, length: number, seed = 1, values?: readonly number[]): Special {
  return special('typed', values === undefined ? { type, length, seed } : { type, length: values.length, seed, values: [...values] });
}

/** A `{ shape, data }` tensor recipe. */
export function tensorRecipe(shape: readonly number[], dtype: 'float32' | 'float64', seed: number): { shape: number[]; data: Special } {
  const length = shape.reduce((p, d) => p * d, 1);
  return { shape: [...shape], data: typed(dtype === 'float64' ? 'Float64Array' : 'Float32Array', length, seed) };
}

/**
 * Deterministic sample values: mostly small integers and halves (so sums are exact), with a few
 * special values (NaN, ±Infinity, -0) when the seed is odd enough: the ops must take them.
 */
export function fillValue(seed: number, i: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x27d4eb2f);
  h ^= h >>> 13;
  const pick = (h >>> 0) % 64;
  if (seed % 7 === 3) {
    if (pick === 0) return NaN;
    if (pick === 1) return Infinity;
    if (pick === 2) return -Infinity;
    if (pick === 3) return -0;
  }
  return ((pick % 17) - 8) / 2;
}

// ---------------------------------------------------------------------------------------------
// Rendering: a short, JavaScript-like description of a recipe for reports.

const RENDER_LIMIT = 400;

function renderNumber(n: number): string {
  if (Object.is(n, -0)) return '-0';
  if (Number.isInteger(n) && Math.abs(n) >= 2 ** 20) {
    const log = Math.log2(Math.abs(n));
    if (Number.isInteger(log)) return `${n < 0 ? '-' : ''}2**${log}`;
    if (Number.isInteger(Math.log2(Math.abs(n) + 1))) return `${n < 0 ? '-' : ''}2**${Math.log2(Math.abs(n) + 1)}-1`;
  }
  return String(n);
}

function renderKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
}

export function render(r: Recipe, depth = 0): string {
  const text = renderInner(r, depth);
  return text.length > RENDER_LIMIT ? `${text.slice(0, RENDER_LIMIT)}…` : text;
}

function renderInner(r: Recipe, depth: number): string {
  if (depth > 12) return '…';
  if (r === undefined) return 'undefined';
  if (r === null) return 'null';
  if (typeof r === 'number') return renderNumber(r);
  if (typeof r === 'bigint') return `${r}n`;
  if (typeof r === 'string') {
    const shown = r.length > 40 ? `${JSON.stringify(r.slice(0, 20))}…(${r.length} chars)` : JSON.stringify(r);
    return shown;
  }
  if (typeof r === 'boolean') return String(r);
  if (Array.isArray(r)) {
    const items = r.length > 12 ? [...r.slice(0, 12).map((v) => renderInner(v, depth + 1)), `…${r.length - 12} more`] : r.map((v) => renderInner(v, depth + 1));
    return `[${items.join(', ')}]`;
  }
  if (isSpecial(r)) return renderSpecial(r, depth);
  const entries = Object.entries(r as Record<string, Recipe>).map(([k, v]) => `${renderKey(k)}: ${renderInner(v, depth + 1)}`);
  return `{ ${entries.join(', ')} }`.replace('{  }', '{}');
}

function renderSpecial(s: Special, depth: number): string {
  const p = (key: string) => renderInner(s[key], depth + 1);
  switch (s[TAG]) {
    case 'typed':
      return s['values'] !== undefined ? `${s['type']}.of(${(s['values'] as number[]).map(renderNumber).join(', ')})` : `${s['type']}(${s['length']})`;
    case 'symbol':
      return 'Symbol()';
    case 'fn':
      return s['throws'] ? '() => { throw new Error() }' : `() => ${p('returns')}`;
    case 'nullProto':
      return `{ __proto__: null, ${Object.entries(s['fields'] as Record<string, Recipe>).map(([k, v]) => `${renderKey(k)}: ${renderInner(v, depth + 1)}`).join(', ')} }`;
    case 'arrayLike':
      return `{ length: ${p('length')} }`;
    case 'deep':
      return `${s['depth']}-deep nested array`;
    case 'bigArray':
      return `Array(${p('length')}).fill(${p('fill')})`;
    case 'sparse':
      return `sparse Array(${p('length')}) with ${p('items')}`;
    case 'longString':
      return `${JSON.stringify(s['char'])}.repeat(${s['length']})`;
    case 'frozen':
      return `Object.freeze(${p('of')})`;
    case 'proxyFlip':
      return `Proxy(${p('of')}, .${s['key']} alternates with ${p('other')})`;
    case 'getterFlip':
      return `${p('of')} with getter .${s['key']} alternating with ${p('other')}`;
    case 'inherited':
      return `Object.create(${p('of')}) (${s['keys'] === 'all' ? 'every option' : p('keys')} inherited)`;
    case 'lyingTyped':
      return `${p('of')} whose length getter says ${p('claim')}`;
    case 'lyingArray':
      return `Proxy(${p('of')}) whose length says ${p('claim')}`;
    case 'detached':
      return `${p('of')} over a detached ArrayBuffer`;
    case 'offsetView':
      return `${p('of')} viewed at byte offset ${s['byteOffset']}`;
    case 'sharedTyped':
      return `${p('of')} over a SharedArrayBuffer`;
    case 'subclassTyped':
      return `${p('of')} as an instance of a subclass`;
    case 'symbolKey':
      return `${p('of')} plus a symbol-keyed property`;
    case 'hiddenKey':
      return `${p('of')} plus a non-enumerable property`;
    case 'hideKey':
      return `${p('of')} with .${String(s['key'])} not enumerable`;
    case 'prototypeGetters':
      return `an instance whose prototype has getters ${p('of')}`;
    case 'aliasView':
      return `{ shape: ${p('shape')}, data: a view of arg${String(s['arg'])}.data's memory at +${String(s['byteOffset'])} bytes }`;
    case 'strayWasmView':
      return `{ shape: ${p('shape')}, data: a view of WebAssembly memory at address 0 }`;
    case 'wasmTensor':
      return `toWasmTensor(${p('of')})`;
    case 'freedWasmTensor':
      return `freed toWasmTensor(${p('of')})`;
    case 'wasmHeap':
      return '<wasm heap>';
    case 'wasmAddress':
      return `<wasm address of ${s['bytes']} bytes>`;
    case 'plan':
      return `plan${String(s['maker'])[0]!.toUpperCase()}${String(s['maker']).slice(1)}(${p('shape')}, ${p('options')})`;
    case 'tamperedPlan':
      return `${p('of')} after plan.windows[${s['axis']}].${s['table']}[${s['index']}] = ${p('value')}`;
    case 'spreadPlan':
      return `{ ...${p('of')}, ${s['field']}: ${p('value')} }`;
    case 'tfTensor':
      return `tf.tensor(${p('shape')}, ${s['dtype']})`;
    case 'callback':
      return `() => <${s['body']}>`;
  }
}

/** A whole call, e.g. `avgPool({ shape: [1, 1, 4, 4], data: Float32Array(16) }, { kernel: NaN })`. */
export function renderCall(door: string, args: readonly Recipe[]): string {
  return `${door}(${args.map((a) => render(a)).join(', ')})`;
}

// ---------------------------------------------------------------------------------------------
// Walking recipes: the places a mutation can reach.

export type PathStep = number | string;

export interface Site {
  readonly path: readonly PathStep[];
  readonly node: Recipe;
}

/**
 * Every node of the argument list a mutation may replace or wrap: the arguments themselves, the
 * values of plain objects and arrays, and the inner recipe of wrapper specials. Special nodes are
 * sites, their parameters are not (except `of`, the wrapped value).
 */
export function sites(args: readonly Recipe[]): Site[] {
  const out: Site[] = [];
  const visit = (node: Recipe, path: PathStep[]): void => {
    out.push({ path, node });
    if (path.length > 6) return;
    if (Array.isArray(node)) {
      if (node.length <= 16) node.forEach((child, i) => visit(child, [...path, i]));
    } else if (isPlainObject(node)) {
      for (const [key, child] of Object.entries(node)) visit(child, [...path, key]);
    }
  };
  args.forEach((arg, i) => visit(arg, [i]));
  return out;
}

export function getAt(args: readonly Recipe[], path: readonly PathStep[]): Recipe {
  let node: Recipe = args as Recipe;
  for (const step of path) node = (node as Record<string | number, Recipe>)[step];
  return node;
}

/** A copy of `args` with the node at `path` replaced (`undefined` with `remove` deletes an object key). */
export function setAt(args: readonly Recipe[], path: readonly PathStep[], value: Recipe, remove = false): Recipe[] {
  const replace = (node: Recipe, at: number): Recipe => {
    const step = path[at]!;
    const last = at === path.length - 1;
    if (Array.isArray(node)) {
      const copy = [...node];
      copy[step as number] = last ? value : replace(copy[step as number], at + 1);
      return copy;
    }
    const copy: Record<string, Recipe> = { ...(node as Record<string, Recipe>) };
    if (last && remove) delete copy[step as string];
    else copy[step as string] = last ? value : replace(copy[step as string], at + 1);
    return copy;
  };
  return replace(args as Recipe, 0) as Recipe[];
}

export function renderPath(path: readonly PathStep[]): string {
  return path.map((step, i) => (i === 0 ? `arg${step}` : typeof step === 'number' ? `[${step}]` : `.${step}`)).join('');
}
