/**
 * Turning valid calls into hostile ones. A mutation picks a place in the arguments (any argument,
 * any option, any array element, any tensor's shape or data) and replaces it with a hostile value
 * or wraps it (frozen, proxied, getters that change their answer, inherited from a prototype,
 * typed arrays that lie about their length, detached buffers, views at an offset...).
 *
 * Each mutated call says whether the rewrite is benign (the same call in another representation:
 * its result must be bit-identical to the original's), hostile, or hostile in a way the docs
 * forbid (`mustReject`: an integer option given 1.5, a tensor whose data no longer fits its
 * shape): an 'ok' result is then a defect too.
 */
import fc from 'fast-check';
import { PER_AXIS_OPTIONS, rankRefused, type Call, type Door, type OptionsRules, type Rule } from './calls.js';
import { getAt, isPlainObject, isSpecial, renderPath, setAt, sites, special, TAG, typed, type PathStep, type Recipe, type Site } from './recipe.js';

export type Mode = 'valid' | 'benign' | 'hostile';

export interface FuzzCall extends Call {
  readonly mode: Mode;
  readonly mustReject: boolean;
  /** What was done to the valid call, for reports. */
  readonly mutation: string;
  /** Benign calls: the unmutated arguments, whose result the mutated call must reproduce. */
  readonly original?: readonly Recipe[];
  /**
   * Hostile calls: calls that must give the same bits after the hostile call as before it. The
   * unmutated call (it reads the options the way a cache key does), and for inherited options the
   * call with only the own options (what a key built from own keys sees).
   */
  readonly probes?: readonly (readonly Recipe[])[];
}

/** Values that belong nowhere a pooling argument goes, from the issue's list. */
export const HOSTILE_VALUES: readonly Recipe[] = [
  null,
  undefined,
  NaN,
  Infinity,
  -Infinity,
  -0,
  0,
  0.5,
  1.5,
  -1,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  1e6,
  1e7,
  1e308,
  '',
  'strings',
  '2',
  'same',
  '\u0000\u0007\u001b[2J\r\n\u202e',
  special('longString', { length: 10_000, char: 'x' }),
  true,
  false,
  1n,
  2n ** 64n,
  special('symbol'),
  special('fn', { returns: 2 }),
  special('nullProto', { fields: { a: 1n } }),
  special('arrayLike', { length: 2 ** 40 }),
  special('bigArray', { length: 1e6, fill: 1 }),
  special('deep', { depth: 20_000 }),
  special('sparse', { length: 3, items: { 2: 1 } }),
  [],
  [2 ** 31],
  [0, 1, 2 ** 30],
  [1, 1, 2 ** 26],
  [-1],
  [1.5, 2],
  [NaN, NaN],
  {},
  special('frozen', { of: { kernel: 2 } }),
  typed('Int32Array', 4),
  typed('Uint8Array', 4),
  typed('BigInt64Array', 4),
  special('detached', { of: typed('Float32Array', 4) }),
  special('lyingTyped', { of: typed('Float32Array', 1), claim: 16 }),
  { shape: [2 ** 31], data: typed('Float32Array', 1) },
  { shape: [1, 1, 4, 4], data: special('lyingTyped', { of: typed('Float32Array', 1), claim: 16 }) },
];

type ObjectWrapper = 'proxyFlip' | 'getterFlip' | 'inheritedAll' | 'inheritedOne' | 'unknownKey' | 'dropKey';
type ArrayWrapper = 'lyingArray' | 'sparse' | 'arrayLike' | 'extraItem' | 'dropItem';
type TypedWrapper = 'lying' | 'lyingShort' | 'detached' | 'swap' | 'truncate';
type BenignWrapper =
  | 'frozen'
  | 'offsetView'
  | 'sharedTyped'
  | 'subclassTyped'
  | 'symbolKey'
  | 'hiddenKey'
  | 'nullProtoCopy'
  | 'wasmTensor'
  | 'frozenArray'
  | 'hiddenOption'
  | 'prototypeGetters';

export type Mutation =
  | { readonly kind: 'replace'; readonly site: number; readonly value: Recipe }
  | { readonly kind: 'object'; readonly site: number; readonly wrapper: ObjectWrapper; readonly key: number; readonly other: Recipe | 'near' }
  | { readonly kind: 'array'; readonly site: number; readonly wrapper: ArrayWrapper; readonly claim: number }
  | { readonly kind: 'typed'; readonly site: number; readonly wrapper: TypedWrapper; readonly type: string }
  | { readonly kind: 'arity'; readonly keep: number }
  | { readonly kind: 'tamper'; readonly site: number; readonly value: Recipe };

export type Benign = { readonly kind: 'benign'; readonly site: number; readonly wrapper: BenignWrapper };

const hostileArb: fc.Arbitrary<Recipe> = fc.constantFrom(...HOSTILE_VALUES);

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('replace' as const), site: fc.nat(), value: hostileArb }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('object' as const),
      site: fc.nat(),
      wrapper: fc.constantFrom<ObjectWrapper>('proxyFlip', 'getterFlip', 'inheritedAll', 'inheritedOne', 'unknownKey', 'dropKey'),
      key: fc.nat(),
      other: fc.oneof(fc.constant<'near'>('near'), hostileArb),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('array' as const),
      site: fc.nat(),
      wrapper: fc.constantFrom<ArrayWrapper>('lyingArray', 'sparse', 'arrayLike', 'extraItem', 'dropItem'),
      claim: fc.constantFrom(0, 1, 3, 2 ** 31, 2 ** 40),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('typed' as const),
      site: fc.nat(),
      wrapper: fc.constantFrom<TypedWrapper>('lying', 'lyingShort', 'detached', 'swap', 'truncate'),
      type: fc.constantFrom('Int32Array', 'Uint8Array', 'BigInt64Array', 'Float64Array', 'Float32Array', 'Int16Array'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('arity' as const), keep: fc.nat({ max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tamper' as const), site: fc.nat(), value: fc.constantFrom<Recipe>(1e9, -1, 2 ** 31 - 1, 0, NaN) }) },
);

export const benignArb: fc.Arbitrary<Benign> = fc.record({
  kind: fc.constant('benign' as const),
  site: fc.nat(),
  wrapper: fc.constantFrom<BenignWrapper>(
    'frozen',
    'offsetView',
    'sharedTyped',
    'subclassTyped',
    'symbolKey',
    'hiddenKey',
    'nullProtoCopy',
    'wasmTensor',
    'frozenArray',
    'hiddenOption',
    'prototypeGetters',
  ),
});

// ---------------------------------------------------------------------------------------------
// Rules: when must a hostile value be rejected?

function isInteger(value: Recipe, min: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min;
}

/** True when `value` breaks `rule` for sure (undefined only breaks required options). */
function breaks(rule: Rule, value: Recipe, element: boolean): boolean {
  const required = rule.endsWith('!');
  const base = required ? rule.slice(0, -1) : rule;
  if (value === undefined) return required || element;
  const scalarOk = (v: Recipe): boolean => {
    switch (base) {
      case 'int1':
        return isInteger(v, 1);
      case 'int0':
        return isInteger(v, 0);
      case 'int1null':
        return v === null || isInteger(v, 1);
      case 'pad':
        return isInteger(v, 0) || (!element && (v === 'valid' || v === 'same' || v === 'same-lower'));
      case 'pos':
        return typeof v === 'number' && Number.isFinite(v) && v > 0;
      case 'num1':
        return typeof v === 'number' && v >= 1;
      case 'safe1':
        return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
      case 'nonzero':
        return typeof v === 'number' && Number.isFinite(v) && v !== 0;
      case 'bool':
        return typeof v === 'boolean';
      case 'enum01':
        return v === 0 || v === 1;
      default:
        if (base.startsWith('enum:')) return typeof v === 'string' && base.slice(5).split('|').includes(v);
        if (base.startsWith('names:')) return typeof v === 'string' && base.slice(6).split('|').includes(v);
        return true;
    }
  };
  if (element) return !scalarOk(value);
  if (base.startsWith('names:') && !isSpecial(value)) {
    // Only a list of names is valid: a bare value, an empty list, a stranger or a repeat breaks it.
    return !Array.isArray(value) || value.length === 0 || value.some((v, i) => !scalarOk(v) || value.indexOf(v) !== i);
  }
  const perAxisRule = base === 'int1' || base === 'int0' || base === 'int1null' || base === 'pad';
  if (Array.isArray(value)) {
    // Arrays of valid scalars may be valid per-axis values; only clearly broken arrays count.
    if (!perAxisRule) return true;
    return value.some((v) => v === undefined || (Array.isArray(v) ? base !== 'pad' || v.some((p) => !isInteger(p, 0)) : !scalarOk(v)));
  }
  if (isSpecial(value)) {
    // Wrapped arrays and objects may still read as valid values; scalar specials never do.
    const kind = value[TAG];
    return kind === 'symbol' || kind === 'fn' || kind === 'longString' || kind === 'nullProto' || kind === 'typed' || kind === 'detached' || kind === 'lyingTyped' || kind === 'deep';
  }
  return !scalarOk(value);
}

function rulesFor(door: Door, arg: number): OptionsRules | undefined {
  return door.options?.find((o) => o.arg === arg);
}

/**
 * Whether replacing the node at `path` by `value` makes a call the docs say must fail: an option
 * that breaks its rule, a tensor whose shape or data no longer fit, an options object that is not
 * an object.
 */
function replacementMustFail(door: Door, args: readonly Recipe[], path: readonly PathStep[], value: Recipe): boolean {
  const [arg, key, index] = path as [number, PathStep | undefined, PathStep | undefined];
  if (door.tensors?.includes(arg) || door.indexTensors?.includes(arg)) {
    if (key === undefined) return true;
    if (key === 'data' && path.length === 2) return !dataFits(door, arg, getAt(args, [arg, 'shape']), value);
    if (key === 'shape') {
      if (path.length === 2) return !(Array.isArray(value) && value.every((d) => isInteger(d, 0)) && sameProduct(getAt(args, path) as number[], value as number[]));
      if (path.length === 3 && index !== undefined) {
        const shape = getAt(args, [arg, 'shape']) as number[];
        if (!isInteger(value, 0)) return true;
        const changed = [...shape];
        changed[index as number] = value as number;
        return !sameProduct(shape, changed);
      }
    }
    return false;
  }
  const positional = door.positional?.[arg];
  if (positional !== undefined && key === undefined) return breaks(positional, value, true);
  const rules = rulesFor(door, arg);
  if (!rules) return false;
  if (key === undefined) {
    // The whole options object replaced: only an absent optional object, or something object-like, can pass.
    if (value === undefined) return !rules.optional;
    if (value === null || typeof value !== 'object') return true;
    if (Array.isArray(value)) return true;
    if (isSpecial(value)) return ['symbol', 'fn', 'longString', 'typed', 'detached', 'lyingTyped', 'deep', 'bigArray', 'sparse'].includes(value[TAG]);
    return false;
  }
  const rule = rules.keys[key as string];
  if (rule === undefined) return false;
  if (path.length === 2) return breaks(rule, value, false);
  if (path.length === 3) return breaks(rule, value, true);
  return false;
}

/** Typed arrays whose elements a tensor argument takes. */
function dataTypeAllowed(door: Door, arg: number, type: string): boolean {
  if (door.indexTensors?.includes(arg)) return type === 'Int32Array';
  if (type === 'Float32Array' || type === 'Float64Array') return true;
  return door.integerData === true && type !== 'BigInt64Array';
}

/**
 * Whether `value` as the data of tensor argument `arg` of `shape` is valid data after all: a
 * typed array of an accepted type whose REAL length (a lying `length` getter is not consulted,
 * README) is the shape's element count.
 */
function dataFits(door: Door, arg: number, shape: Recipe, value: Recipe): boolean {
  if (!Array.isArray(shape) || !shape.every((d) => isInteger(d, 0))) return false;
  const count = (shape as number[]).reduce((p, d) => p * d, 1);
  if (!isSpecial(value)) return false;
  // A detached buffer has no elements left.
  if (value[TAG] === 'detached') return count === 0;
  const inner = value[TAG] === 'lyingTyped' ? value['of'] : value[TAG] === 'typed' ? value : undefined;
  if (inner === undefined || !isSpecial(inner) || inner[TAG] !== 'typed') return false;
  return inner['length'] === count && dataTypeAllowed(door, arg, String(inner['type']));
}

function sameProduct(a: readonly number[], b: readonly number[]): boolean {
  return a.reduce((p, d) => p * d, 1) === b.reduce((p, d) => p * d, 1);
}

// ---------------------------------------------------------------------------------------------
// Applying mutations.

function pick<T>(items: readonly T[], n: number): T | undefined {
  return items.length === 0 ? undefined : items[n % items.length];
}

const isTypedRecipe = (node: Recipe) => isSpecial(node) && node[TAG] === 'typed';
const isTensorRecipe = (node: Recipe) => isPlainObject(node) && 'shape' in node && 'data' in node;

/** A plausible different value for a flip: the next integer, another array, or a hostile one. */
function near(value: Recipe): Recipe {
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'boolean') return !value;
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'number' ? v + 1 : v));
  if (typeof value === 'string') return `${value}x`;
  return 3;
}

/** The shape a recipe argument has, where it is plain data: a shape array, or a tensor's. */
function recipeShape(arg: Recipe): readonly Recipe[] | undefined {
  if (Array.isArray(arg)) return arg;
  if (isPlainObject(arg) && Array.isArray(arg['shape'])) return arg['shape'] as Recipe[];
  return undefined;
}

/**
 * Whether a rewrite took away what gave a rank-3 input its spatial rank (spatialDims, a per-axis
 * array): the README's rank rule then refuses the call. Only plain options (not wrapped) count.
 */
function losesRank(door: Door, before: readonly Recipe[], after: readonly Recipe[]): boolean {
  const rules = door.options?.find((o) => o.rankFrom !== undefined);
  if (!rules) return false;
  const options = (args: readonly Recipe[]): Record<string, Recipe> | undefined | null => {
    const o = args[rules.arg];
    return o === undefined ? undefined : isPlainObject(o) ? o : null;
  };
  const [was, now] = [options(before), options(after)];
  const [shapeWas, shapeNow] = [recipeShape(before[rules.rankFrom!]), recipeShape(after[rules.rankFrom!])];
  if (was === null || now === null || !shapeWas || !shapeNow || !shapeNow.every((d) => typeof d === 'number')) return false;
  // A wrapped value (a proxy of an array, a frozen one) may still read as an array: not known.
  if ([was, now].some((o) => o !== undefined && ['spatialDims', ...PER_AXIS_OPTIONS].some((key) => isSpecial(o[key])))) return false;
  return !rankRefused(shapeWas, was) && rankRefused(shapeNow, now);
}

function hostileCall(valid: Call, args: readonly Recipe[], mustReject: boolean, mutation: string, probes: readonly (readonly Recipe[])[] = []): FuzzCall {
  return { args, expect: valid.expect, mode: 'hostile', mustReject, mutation, probes: [valid.args, ...probes] };
}

export function applyMutation(door: Door, valid: Call, m: Mutation): FuzzCall {
  const mutated = mutationOf(door, valid, m);
  return mutated.mode === 'hostile' && !mutated.mustReject && losesRank(door, valid.args, mutated.args) ? { ...mutated, mustReject: true } : mutated;
}

function mutationOf(door: Door, valid: Call, m: Mutation): FuzzCall {
  const all = sites(valid.args).filter((s) => !door.fixedArgs?.includes(s.path[0] as number));
  const replaceAt = (site: Site, value: Recipe, label: string): FuzzCall =>
    hostileCall(valid, setAt(valid.args, site.path, value), replacementMustFail(door, valid.args, site.path, value), `${renderPath(site.path)} = ${label}`);

  switch (m.kind) {
    case 'replace': {
      const site = pick(all, m.site);
      if (!site) return hostileCall(valid, [m.value], false, 'only argument replaced');
      return replaceAt(site, m.value, 'hostile value');
    }
    case 'object': {
      const objects = all.filter((s) => isPlainObject(s.node) && Object.keys(s.node as object).length > 0);
      // Options objects are where reading twice can plan one value and cache another: most flips go there.
      const options = objects.filter((s) => s.path.length === 1 && rulesFor(door, s.path[0] as number) !== undefined);
      const site = pick(options.length > 0 && m.site % 3 !== 0 ? options : objects, Math.floor(m.site / 3));
      if (!site) return applyMutation(door, valid, { kind: 'replace', site: m.site, value: m.other === 'near' ? null : m.other });
      const node = site.node as Record<string, Recipe>;
      const keys = Object.keys(node);
      const key = keys[m.key % keys.length]!;
      const other = m.other === 'near' ? near(node[key]) : m.other;
      const arg = site.path[0] as number;
      const rules = site.path.length === 1 ? rulesFor(door, arg) : undefined;
      switch (m.wrapper) {
        case 'proxyFlip':
          return hostileCall(valid, setAt(valid.args, site.path, special('proxyFlip', { of: node, key, other })), false, `${renderPath(site.path)} behind a Proxy whose .${key} alternates`);
        case 'getterFlip':
          return hostileCall(valid, setAt(valid.args, site.path, special('getterFlip', { of: node, key, other })), false, `${renderPath(site.path)}.${key} as a getter that alternates`);
        case 'inheritedAll':
        case 'inheritedOne': {
          // README: an options object with another prototype is read by every known option name,
          // inherited included: Object.create({ kernel: 4 }) means kernel 4, the same call. The
          // probe is what a reader of own keys only would see: it must not be poisoned either.
          const all = m.wrapper === 'inheritedAll';
          const args = setAt(valid.args, site.path, special('inherited', { of: node, keys: all ? 'all' : [key] }));
          const probe = all ? setAt(valid.args, site.path, {}) : setAt(valid.args, [...site.path, key], undefined, true);
          const label = `${renderPath(site.path)}${all ? '' : `.${key}`} inherited from a prototype`;
          if (rules !== undefined && door.pure !== false) return { args, expect: valid.expect, mode: 'benign', mustReject: false, mutation: label, original: valid.args, probes: [valid.args, probe] };
          return hostileCall(valid, args, false, label, [probe]);
        }
        case 'unknownKey': {
          const unknown = ['kernal', '__proto__', 'constructor', '', 'kernel ', 'toString'][m.key % 6]!;
          const value = { ...node };
          Object.defineProperty(value, unknown, { value: other, enumerable: true, configurable: true, writable: true });
          // An own enumerable "__proto__" may not survive the trip to the call host as an own key.
          const refused = rules?.strict === true && unknown !== '__proto__' && !(rules.ignoreUndefined === true && other === undefined);
          return hostileCall(valid, setAt(valid.args, site.path, value), refused, `${renderPath(site.path)} gets unknown key ${JSON.stringify(unknown)}`);
        }
        case 'dropKey': {
          const rule = rules?.keys[key];
          const tensorKey = door.tensors?.includes(arg) && site.path.length === 1;
          return hostileCall(valid, setAt(valid.args, [...site.path, key], undefined, true), tensorKey || (rule?.endsWith('!') ?? false), `${renderPath(site.path)}.${key} removed`);
        }
      }
      break;
    }
    case 'array': {
      const arrays = all.filter((s) => Array.isArray(s.node) && s.path.length > 1);
      const site = pick(arrays, m.site);
      if (!site) return applyMutation(door, valid, { kind: 'replace', site: m.site, value: special('lyingArray', { of: [1, 1], claim: m.claim }) });
      const node = site.node as Recipe[];
      const tensorArg = door.tensors?.includes(site.path[0] as number) || door.indexTensors?.includes(site.path[0] as number);
      const inTensorShape = tensorArg && site.path[1] === 'shape' && site.path.length === 2;
      switch (m.wrapper) {
        case 'lyingArray':
          // A proxy that lies consistently is just another array; only inconsistent reads are defects.
          return hostileCall(valid, setAt(valid.args, site.path, special('lyingArray', { of: node, claim: m.claim })), false, `${renderPath(site.path)} behind a Proxy whose length says ${m.claim}`);
        case 'sparse': {
          if (node.length === 0) return hostileCall(valid, setAt(valid.args, site.path, special('sparse', { length: 2, items: {} })), false, `${renderPath(site.path)} = [ , , ]`);
          const hole = m.claim % node.length;
          const items: Record<string, Recipe> = {};
          node.forEach((v, i) => {
            if (i !== hole) items[i] = v;
          });
          return hostileCall(valid, setAt(valid.args, site.path, special('sparse', { length: node.length, items })), inTensorShape === true, `${renderPath(site.path)} with a hole at ${hole}`);
        }
        case 'arrayLike': {
          const items: Record<string, Recipe> = {};
          node.forEach((v, i) => (items[i] = v));
          return hostileCall(valid, setAt(valid.args, site.path, special('arrayLike', { length: node.length, items })), false, `${renderPath(site.path)} as an array-like object`);
        }
        case 'extraItem': {
          // A shape that keeps its element count (an extra 1, or any extra axis of an empty tensor) still fits its data.
          const extra = node[node.length - 1] ?? 1;
          const longer = [...node, extra];
          return hostileCall(valid, setAt(valid.args, site.path, longer), inTensorShape === true && !sameProduct(node as number[], longer as number[]), `${renderPath(site.path)} one item longer`);
        }
        case 'dropItem': {
          const shorter = node.slice(0, -1);
          return hostileCall(valid, setAt(valid.args, site.path, shorter), inTensorShape === true && !sameProduct(node as number[], shorter as number[]), `${renderPath(site.path)} one item shorter`);
        }
      }
      break;
    }
    case 'typed': {
      const typedSites = all.filter((s) => isTypedRecipe(s.node));
      const site = pick(typedSites, m.site);
      if (!site) return applyMutation(door, valid, { kind: 'replace', site: m.site, value: typed('Int32Array', 4) });
      const node = site.node as { length: number; type: string } & Record<string, Recipe>;
      const isData = site.path.length === 2 && site.path[1] === 'data' && door.tensors?.includes(site.path[0] as number) === true;
      const isIndexData = site.path.length === 2 && site.path[1] === 'data' && door.indexTensors?.includes(site.path[0] as number) === true;
      const length = node.length;
      switch (m.wrapper) {
        case 'lying': {
          // README: typed arrays are read at their real extent, whatever a subclass's getters say:
          // where that fits, the call is the honest one and must give its bits.
          const claim = length === 1 ? 16 : 1;
          const args = setAt(valid.args, site.path, special('lyingTyped', { of: node, claim }));
          const label = `${renderPath(site.path)} whose length getter says ${claim} (really ${length})`;
          if (door.pure !== false) return { args, expect: valid.expect, mode: 'benign', mustReject: false, mutation: label, original: valid.args };
          return hostileCall(valid, args, false, label);
        }
        case 'lyingShort': {
          // One element short for real, while its length getter claims the full count.
          if (length === 0) return applyMutation(door, valid, { ...m, wrapper: 'lying' });
          const args = setAt(valid.args, site.path, special('lyingTyped', { of: { ...node, length: length - 1 }, claim: length }));
          return hostileCall(valid, args, isData || isIndexData, `${renderPath(site.path)} really ${length - 1} long, whose length getter says ${length}`);
        }
        case 'detached':
          return hostileCall(valid, setAt(valid.args, site.path, special('detached', { of: node })), (isData || isIndexData) && length > 0, `${renderPath(site.path)} over a detached buffer`);
        case 'swap': {
          if (m.type === node.type) return applyMutation(door, valid, { ...m, type: node.type === 'Float32Array' ? 'Int32Array' : 'Float32Array' });
          const swapped = { ...node, type: m.type };
          const float = m.type === 'Float32Array' || m.type === 'Float64Array';
          const allowed = float || (door.integerData === true && m.type !== 'BigInt64Array');
          return hostileCall(valid, setAt(valid.args, site.path, swapped), (isData && !allowed) || (isIndexData && m.type !== 'Int32Array'), `${renderPath(site.path)} as ${m.type}`);
        }
        case 'truncate':
          if (length === 0) return applyMutation(door, valid, { ...m, wrapper: 'lying' });
          return hostileCall(valid, setAt(valid.args, site.path, { ...node, length: length - 1 }), isData || isIndexData, `${renderPath(site.path)} one element short`);
      }
      break;
    }
    case 'arity': {
      if (door.fixedArgs) return applyMutation(door, valid, { kind: 'replace', site: m.keep, value: null });
      const n = m.keep % (valid.args.length + 3);
      const required = Object.keys(door.positional ?? {}).some((i) => Number(i) >= n && Number(i) < valid.args.length);
      if (n < valid.args.length) return hostileCall(valid, valid.args.slice(0, n), required, `only the first ${n} arguments`);
      const extra = [...valid.args, ...new Array<Recipe>(n - valid.args.length + 1).fill(special('symbol'))];
      return hostileCall(valid, extra, false, `${extra.length - valid.args.length} extra arguments`);
    }
    case 'tamper': {
      // Plans the caller holds: their window tables are reachable; writing them must not change
      // another call's result (the canary checks), and forged plans must be refused or ignored.
      const plans = all.filter((s) => isSpecial(s.node) && s.node[TAG] === 'plan');
      const site = pick(plans, m.site);
      if (!site) return applyMutation(door, valid, { kind: 'replace', site: m.site, value: m.value });
      if (m.site % 2 === 0) {
        const table = ['first', 'count', 'padded'][m.site % 3]!;
        return hostileCall(valid, setAt(valid.args, site.path, special('tamperedPlan', { of: site.node, axis: 0, table, index: 0, value: m.value })), false, `plan.windows[0].${table}[0] = ${String(m.value)}`);
      }
      const field = ['outputShape', 'inputShape', 'axes', 'windows', 'outputSpatialSize', 'channels', 'reducer', 'op'][m.site % 8]!;
      return hostileCall(valid, setAt(valid.args, site.path, special('spreadPlan', { of: site.node, field, value: m.value })), false, `a forged copy of the plan with ${field} = ${String(m.value)}`);
    }
  }
  return hostileCall(valid, valid.args, false, 'unchanged');
}

/** A representation change that must not change the result; null where none applies. */
export function applyBenign(door: Door, valid: Call, b: Benign): FuzzCall | null {
  const all = sites(valid.args).filter((s) => !door.fixedArgs?.includes(s.path[0] as number));
  const wrap = (site: Site | undefined, make: (node: Recipe) => Recipe, label: string): FuzzCall | null => {
    if (!site) return null;
    return { args: setAt(valid.args, site.path, make(site.node)), expect: valid.expect, mode: 'benign', mustReject: false, mutation: `${renderPath(site.path)} ${label}`, original: valid.args };
  };
  const objects = all.filter((s) => isPlainObject(s.node));
  const typedSites = all.filter((s) => isTypedRecipe(s.node));
  const arrays = all.filter((s) => Array.isArray(s.node) && s.path.length > 1);
  // WasmTensors hold float data only.
  const tensors = all.filter(
    (s) => isTensorRecipe(s.node) && door.tensors?.includes(s.path[0] as number) && s.path.length === 1 && /^Float(32|64)Array$/.test(String((s.node as { data: { type?: unknown } }).data.type)),
  );
  switch (b.wrapper) {
    case 'frozen':
      return wrap(pick(objects, b.site), (node) => special('frozen', { of: node }), 'frozen');
    case 'frozenArray':
      return wrap(pick(arrays, b.site), (node) => special('frozen', { of: node }), 'frozen');
    case 'offsetView':
      return wrap(pick(typedSites, b.site), (node) => special('offsetView', { of: node, byteOffset: 8 * (1 + (b.site % 3)) }), 'viewed at a byte offset');
    case 'sharedTyped':
      return wrap(pick(typedSites, b.site), (node) => special('sharedTyped', { of: node }), 'over a SharedArrayBuffer');
    case 'subclassTyped':
      return wrap(pick(typedSites, b.site), (node) => special('subclassTyped', { of: node }), 'as a subclass instance');
    case 'symbolKey':
      return wrap(pick(objects, b.site), (node) => special('symbolKey', { of: node }), 'with an extra symbol-keyed property');
    case 'hiddenKey':
      return wrap(pick(objects, b.site), (node) => special('hiddenKey', { of: node }), 'with an extra non-enumerable property');
    case 'nullProtoCopy':
      return wrap(pick(objects, b.site), (node) => special('nullProto', { fields: node }), 'as an Object.create(null) copy');
    case 'wasmTensor':
      return wrap(pick(tensors, b.site), (node) => special('wasmTensor', { of: node }), 'as a WasmTensor');
    case 'hiddenOption':
    case 'prototypeGetters': {
      // README: a plain options object is read by its own names, enumerable or not; any other by
      // every known option name, inherited accessors included.
      const options = objects.filter((s) => s.path.length === 1 && rulesFor(door, s.path[0] as number) !== undefined && Object.keys(s.node as object).length > 0);
      const site = pick(options, b.site);
      if (!site) return null;
      if (b.wrapper === 'prototypeGetters') return wrap(site, (node) => special('prototypeGetters', { of: node }), 'as an instance whose options are getters on its prototype');
      const keys = Object.keys(site.node as object);
      const key = keys[Math.floor(b.site / Math.max(1, options.length)) % keys.length]!;
      return wrap(site, (node) => special('hideKey', { of: node, key }), `with .${key} not enumerable`);
    }
  }
}

/** A resource bomb as a fuzz call: it must be rejected where the docs reject it. */
export function bombCall(call: Call): FuzzCall {
  return { ...call, mode: 'hostile', mustReject: call.expect.k === 'error', mutation: 'resource bomb' };
}

/** Every call the fuzzer makes at one door: valid, benign and hostile rewrites, and bombs. */
export function fuzzArbitrary(door: Door): fc.Arbitrary<FuzzCall> {
  const valid = door.valid.map((call): FuzzCall => ({ ...call, mode: 'valid', mustReject: false, mutation: 'none' }));
  const hostile = fc.tuple(door.valid, mutationArb).map(([call, m]) => {
    const mutated = applyMutation(door, call, m);
    return door.refusesAll === true && mutated.mode === 'hostile' ? { ...mutated, mustReject: true } : mutated;
  });
  const benign = fc.tuple(door.valid, benignArb).map(([call, b]) => applyBenign(door, call, b) ?? { ...call, mode: 'valid' as const, mustReject: false, mutation: 'none' });
  const parts: fc.WeightedArbitrary<FuzzCall>[] = [
    { weight: 3, arbitrary: valid },
    { weight: 6, arbitrary: hostile },
    { weight: door.pure === false ? 0 : 2, arbitrary: benign },
  ];
  if (door.bombs) parts.push({ weight: 1, arbitrary: fc.constantFrom(...door.bombs).map(bombCall) });
  return fc.oneof(...parts.filter((p) => p.weight > 0));
}

/** Doors of the tfjs entry, and calls with TF.js tensors among their arguments, need TF.js loaded first. */
export function needsTf(door: Door, call: FuzzCall): boolean {
  return door.module === 'tfjs' || JSON.stringify(call.args, (_, v: unknown) => (typeof v === 'bigint' ? 0 : v)).includes('"tfTensor"');
}
