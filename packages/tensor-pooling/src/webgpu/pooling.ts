/**
 * The WebGPU ops: the library's options, validated and planned exactly as the CPU ops plan them,
 * then executed by the WebGPU kernels (src/kernels/webgpu/) on a GPUDevice. Tensors stay on the
 * GPU; `read` is the only way back to the CPU.
 */
import { PoolingError, show } from '../plan/errors.js';
import type { PoolPlan } from '../plan/plan.js';
import { readOptions } from '../plan/validate.js';
import { planGlobalOp, type GlobalOptions } from '../ops/global-ops.js';
import { checkGradientShape } from '../ops/run.js';
import { AVG_KEYS, MAX_KEYS, avgReducer, planWindowOp, type AvgPoolOptions, type WindowOptions } from '../ops/options.js';
import { MAX_ELEMENTS, elementCount, readCallerValue, readShape, readTensor, typedArrayRealLength, type Layout, type Tensor } from '../tensor.js';
import { webGpuSupports } from '../kernels/webgpu/plan-words.js';
import { probeTwoFloat } from '../kernels/webgpu/probe.js';
import { PlanRunner, USAGE, bufferBytes } from '../kernels/webgpu/runner.js';

/**
 * A tensor in a GPUBuffer: float32 values (or the int32 indices of the maxima), row-major, from
 * byte 0 of the buffer. The ops return new ones, which belong to the caller (`buffer.destroy()`
 * frees one); an input buffer needs `GPUBufferUsage.STORAGE`, a buffer to {@link WebGpuPooling.read}
 * needs `COPY_SRC`. An object with an `offset` other than 0 (as other libraries' GPU tensors may
 * have) is refused with `UNSUPPORTED_OPTION`: offsets are not supported yet.
 * @category WebGPU
 */
export interface GpuTensor {
  /** The buffer on the pooling's device; at least 4 bytes per element. */
  readonly buffer: GPUBuffer;
  /** The tensor's shape. */
  readonly shape: readonly number[];
  /** `'float32'` for values; `'int32'` for the indices {@link WebGpuPooling.maxPoolWithIndices} returns. */
  readonly dtype: 'float32' | 'int32';
  /** Where the channel axis is; an input without it takes the options' `layout` (default channels-first). */
  readonly layout?: Layout;
}

/**
 * What the WebGPU ops take: a host tensor of float32 values (uploaded for the call) or a
 * {@link GpuTensor}.
 * @category WebGPU
 */
export type WebGpuInput = Tensor<Float32Array> | GpuTensor;

/**
 * What the gradients of averages take for the forward input: the input itself (a host or GPU
 * tensor, of which only the shape and layout are read) or just its shape, as
 * {@link "tensor-pooling"!avgPoolBackward | avgPoolBackward} takes it.
 * @category WebGPU
 */
export type WebGpuShapeInput = Tensor | GpuTensor | readonly number[];

/**
 * {@link WebGpuPooling.avgPool}'s options: {@link AvgPoolOptions} without `backend` and `threads`.
 * @category WebGPU
 */
export type WebGpuAvgPoolOptions = Omit<AvgPoolOptions, 'backend' | 'threads'>;

/**
 * {@link WebGpuPooling.maxPool}'s options: {@link WindowOptions} without `backend` and `threads`.
 * @category WebGPU
 */
export type WebGpuWindowOptions = Omit<WindowOptions, 'backend' | 'threads'>;

/**
 * {@link WebGpuPooling.globalAvgPool}'s options: {@link GlobalOptions} without `backend` and `threads`.
 * @category WebGPU
 */
export type WebGpuGlobalOptions = Omit<GlobalOptions, 'backend' | 'threads'>;

/**
 * What {@link WebGpuPooling.maxPoolWithIndices} returns.
 * @category WebGPU
 */
export interface GpuValuesWithIndices {
  /** The maxima (float32). */
  readonly values: GpuTensor;
  /** PyTorch's indices (int32): the flat row-major spatial index of each maximum within its (n, c) plane, -1 for an empty window. */
  readonly indices: GpuTensor;
}

/**
 * Pooling on one GPUDevice, from {@link createWebGpuPooling}. Every op is async: it validates its
 * input and options as the CPU op of the same name does (same {@link "tensor-pooling"!PoolingError | PoolingError} codes, thrown
 * as a rejection before any buffer is made), runs the same plan, and resolves to a
 * {@link GpuTensor} without reading it back. Float32 only.
 * @category WebGPU
 */
export interface WebGpuPooling {
  /** The device the ops run on: the caller's, or the one {@link createWebGpuPooling} requested. */
  readonly device: GPUDevice;
  /**
   * Average pooling, as {@link avgPool} computes it (ceil mode, padding, dilation,
   * `countIncludePad`, `divisorOverride`, both layouts, 1 to 3 spatial axes); each mean within
   * 1 ulp of the exact mean of its float32 taps.
   * @param x - The input.
   * @param options - As {@link avgPool} takes them, without `backend` and `threads`.
   * @returns The output, of `avgPool`'s output shape.
   */
  avgPool(x: WebGpuInput, options: WebGpuAvgPoolOptions): Promise<GpuTensor>;
  /**
   * Max pooling, as {@link maxPool} computes it: NaN propagates, ties keep the first maximum.
   * @param x - The input.
   * @param options - As {@link maxPool} takes them, without `backend` and `threads`.
   * @returns The maxima.
   */
  maxPool(x: WebGpuInput, options: WebGpuWindowOptions): Promise<GpuTensor>;
  /**
   * Max pooling with PyTorch's indices, as {@link maxPoolWithIndices} computes them.
   * @param x - The input.
   * @param options - As {@link maxPool} takes them, without `backend` and `threads`.
   * @returns The maxima and their indices.
   */
  maxPoolWithIndices(x: WebGpuInput, options: WebGpuWindowOptions): Promise<GpuValuesWithIndices>;
  /**
   * Global average pooling, as {@link globalAvgPool} computes it: one workgroup per (n, c) plane
   * sums in a fixed-order tree; each mean within 1 ulp of the exact mean.
   * @param x - The input.
   * @param options - `keepDims`, `layout`, `spatialDims`.
   * @returns The means, (N, C) or with `keepDims` (N, C, 1, ...).
   */
  globalAvgPool(x: WebGpuInput, options?: WebGpuGlobalOptions): Promise<GpuTensor>;
  /**
   * The gradient of {@link WebGpuPooling.avgPool}, as
   * {@link "tensor-pooling"!avgPoolBackward | avgPoolBackward} computes it: each input element
   * gathers dy / divisor from the outputs whose windows hold it, in the reference's order, in two
   * floats (the dy of outputs sharing a divisor summed first and divided once) and rounds once:
   * within 1 ulp of the CPU's gradient, and of the exact one on cancelling gradients, while sums
   * stay within float32's range and under 1e30. No atomics: the same bits on every run.
   * @param dy - The gradient of the forward output, of its shape.
   * @param input - The forward input, or just its shape.
   * @param options - The forward call's options.
   * @returns dL/dx, of the input's shape, on the GPU.
   */
  avgPoolBackward(dy: WebGpuInput, input: WebGpuShapeInput, options: WebGpuAvgPoolOptions): Promise<GpuTensor>;
  /**
   * The gradient of {@link WebGpuPooling.maxPool}, as
   * {@link "tensor-pooling"!maxPoolBackward | maxPoolBackward} computes it: the forward pass runs
   * again on the GPU for its indices (the first maximum on a tie, NaN as the maximum where one is
   * in the window), and each input element gathers the dy of the outputs whose index is its own,
   * summed in two floats and rounded once.
   * @param dy - The gradient of the forward output, of its shape.
   * @param x - The forward input (its values decide where the maxima were).
   * @param options - The forward call's options.
   * @returns dL/dx, of `x`'s shape, on the GPU.
   */
  maxPoolBackward(dy: WebGpuInput, x: WebGpuInput, options: WebGpuWindowOptions): Promise<GpuTensor>;
  /**
   * The gradient of {@link WebGpuPooling.globalAvgPool}, as
   * {@link "tensor-pooling"!globalAvgPoolBackward | globalAvgPoolBackward} computes it: each
   * channel's gradient divided evenly over its map (a corrected division, within 1 ulp).
   * @param dy - The gradient of the forward output, of its shape.
   * @param input - The forward input, or just its shape.
   * @param options - The forward call's options.
   * @returns dL/dx, of the input's shape, on the GPU.
   */
  globalAvgPoolBackward(dy: WebGpuInput, input: WebGpuShapeInput, options?: WebGpuGlobalOptions): Promise<GpuTensor>;
  /**
   * Copies a GPU tensor back to the CPU.
   * @param t - A tensor on this device whose buffer has `COPY_SRC` (the ops' outputs have it).
   * @returns A new Float32Array (`dtype` 'float32') or Int32Array ('int32') of the shape's size.
   */
  read(t: GpuTensor): Promise<Float32Array | Int32Array>;
  /**
   * Frees the compiled kernels, and the device too when {@link createWebGpuPooling} requested it
   * (which also ends the buffers made on it). A caller's own device stays as it was. Later calls
   * reject with `UNSUPPORTED_OPTION`.
   */
  destroy(): void;
}

/**
 * {@link createWebGpuPooling}'s options.
 * @category WebGPU
 */
export interface WebGpuPoolingOptions {
  /** The device to run on (tensors must live on it); without it, one is requested from `gpu`. */
  readonly device?: GPUDevice;
  /**
   * Where to request a device when none is given: default `navigator.gpu`. In Node, the `webgpu`
   * package's `create([])`.
   */
  readonly gpu?: GPU;
}

const AVG_OPTION_KEYS = AVG_KEYS.filter((k) => k !== 'backend' && k !== 'threads');
const MAX_OPTION_KEYS = MAX_KEYS.filter((k) => k !== 'backend' && k !== 'threads');
const GLOBAL_OPTION_KEYS = ['layout', 'spatialDims', 'keepDims'];

interface ReadInput {
  readonly shape: readonly number[];
  readonly layout?: Layout;
  /** A host tensor's values, uploaded for the call. */
  readonly host?: Float32Array;
  /** A GPU tensor's buffer. */
  readonly buffer?: GPUBuffer;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A GpuTensor's fields, read once and checked (the buffer's own checks come with a plan). */
function readGpuTensor(op: string, name: string, x: Record<string, unknown>, dtypes: readonly string[]): ReadInput & { dtype: string } {
  const fields = readCallerValue(op, name, () => ({ buffer: x.buffer, shape: x.shape, dtype: x.dtype, layout: x.layout, offset: x.offset }));
  // Peers' GPU tensors may carry a byte offset into a shared buffer: refused rather than read from byte 0.
  if (fields.offset !== undefined && fields.offset !== 0) {
    throw new PoolingError('UNSUPPORTED_OPTION', op, `${name}.offset ${show(fields.offset)}: GPU tensors start at byte 0 of their buffer in this release`);
  }
  const buffer = fields.buffer;
  const usage = readCallerValue(op, `${name}.buffer`, () => (isObject(buffer) ? { usage: buffer.usage, size: buffer.size, mapState: buffer.mapState } : undefined));
  if (usage === undefined || typeof usage.usage !== 'number' || typeof usage.size !== 'number') {
    throw new PoolingError('INVALID_PARAMETER', op, `${name}.buffer must be a GPUBuffer; got ${show(buffer)}`);
  }
  const shape = readShape(op, `${name}.shape`, fields.shape);
  if (typeof fields.dtype !== 'string' || !dtypes.includes(fields.dtype)) {
    throw new PoolingError('UNSUPPORTED_DTYPE', op, `${name}.dtype must be ${dtypes.map((d) => show(d)).join(' or ')}; got ${show(fields.dtype)}`);
  }
  if (fields.layout !== undefined && fields.layout !== 'channels-first' && fields.layout !== 'channels-last') {
    throw new PoolingError('INVALID_PARAMETER', op, `${name}.layout must be 'channels-first' or 'channels-last' when given; got ${show(fields.layout)}`);
  }
  const elements = elementCount(op, name, shape);
  if (usage.size < elements * 4) {
    throw new PoolingError(
      'DATA_LENGTH_MISMATCH',
      op,
      `${name}.buffer has ${usage.size} bytes but ${name}.shape ${show(shape)} needs ${elements * 4} (${elements} ${fields.dtype} values)`,
    );
  }
  if (usage.mapState !== undefined && usage.mapState !== 'unmapped') {
    throw new PoolingError('INVALID_PARAMETER', op, `${name}.buffer is ${show(usage.mapState)}; a kernel can use it only unmapped`);
  }
  return { shape, layout: fields.layout as Layout | undefined, buffer: buffer as unknown as GPUBuffer, dtype: fields.dtype };
}

function requireUsage(op: string, name: string, buffer: GPUBuffer, flag: number, flagName: string): void {
  if ((buffer.usage & flag) === 0) {
    throw new PoolingError(
      'INVALID_PARAMETER',
      op,
      `${name}.buffer needs GPUBufferUsage.${flagName} (0x${flag.toString(16)}); its usage is 0x${buffer.usage.toString(16)}`,
    );
  }
}

function tensorKind(op: string, name: string, x: unknown): 'host' | 'gpu' {
  const kind = readCallerValue(op, name, () => (isObject(x) ? (x.data !== undefined ? 'host' : x.buffer !== undefined ? 'gpu' : undefined) : undefined));
  if (kind === undefined) {
    throw new PoolingError('INVALID_PARAMETER', op, `${name} must be a tensor { shape, data } or a GPU tensor { buffer, shape, dtype, layout }; got ${show(x)}`);
  }
  return kind;
}

function readInput(op: string, name: string, x: unknown): ReadInput {
  if (tensorKind(op, name, x) === 'gpu') {
    const t = readGpuTensor(op, name, x as Record<string, unknown>, ['float32']);
    requireUsage(op, name, t.buffer!, USAGE.STORAGE, 'STORAGE');
    return t;
  }
  const t = readTensor(op, name, x);
  if (!(t.data instanceof Float32Array)) {
    throw new PoolingError('UNSUPPORTED_DTYPE', op, `${name}.data must be a Float32Array on WebGPU (float32 only); got Float64Array`);
  }
  return { shape: t.shape, host: t.data };
}

/** The forward input of an average's gradient, of which only the shape (and a GPU tensor's layout) counts. */
function readShapeInput(op: string, input: unknown): ReadInput {
  if (readCallerValue(op, 'input', () => Array.isArray(input))) return { shape: readShape(op, 'input shape', input) };
  if (tensorKind(op, 'x', input) === 'gpu') {
    const t = readGpuTensor(op, 'x', input as Record<string, unknown>, ['float32']);
    return { shape: t.shape, layout: t.layout };
  }
  return { shape: readTensor(op, 'x', input).shape };
}

/**
 * The options' layout, or the first GPU tensor's that has one when the options give none; every
 * layout given must agree.
 */
function withLayout(op: string, options: Readonly<Record<string, unknown>>, inputs: readonly (readonly [string, ReadInput])[]): Readonly<Record<string, unknown>> {
  let layout = options.layout;
  let from = 'options.layout';
  for (const [name, input] of inputs) {
    if (input.layout === undefined) continue;
    if (layout === undefined) {
      layout = input.layout;
      from = `${name}.layout`;
    } else if (layout !== input.layout) {
      throw new PoolingError('INVALID_PARAMETER', op, `${from} ${show(layout)} contradicts ${name}.layout ${show(input.layout)}`);
    }
  }
  return layout === options.layout ? options : { ...options, layout };
}

/**
 * Starts WebGPU pooling on the caller's device or on one it requests, after a probe that the
 * device's shader compiler keeps the two-float arithmetic the exact averages rely on.
 *
 * In this release the ops are average, max (with indices) and global average pooling and their
 * gradients, float32, 1 to 3 spatial axes; the other ops run on the CPU ops.
 *
 * @param options - `device` (the caller's GPUDevice), or `gpu` to request one from (default
 *   `navigator.gpu`).
 * @returns The ops on that device.
 * @throws {@link "tensor-pooling"!PoolingError | PoolingError} (as a rejection)
 * - `INVALID_PARAMETER`: `options` is not an object, has an unknown name, or `device` is not a GPUDevice;
 * - `UNSUPPORTED_OPTION`: no WebGPU here (no `gpu`, no adapter, the device request failed), or the
 *   probe found that the device's compiler breaks two-float arithmetic (its message says how).
 * @example
 * In a page with WebGPU (the fence is `ts` so that the reference's Node check does not run it; the
 * WebGPU suite runs the same calls):
 * ```ts
 * import { tensor } from 'tensor-pooling';
 * import { createWebGpuPooling } from 'tensor-pooling/webgpu';
 *
 * const pooling = await createWebGpuPooling(); // navigator.gpu's device
 * const x = tensor([1, 1, 4, 4], Float32Array.from({ length: 16 }, (_, i) => i + 1));
 * const y = await pooling.avgPool(x, { kernel: 2 }); // a GpuTensor, still on the GPU
 * console.log(y.shape, Array.from(await pooling.read(y))); // [ 1, 1, 2, 2 ] [ 3.5, 5.5, 11.5, 13.5 ]
 * y.buffer.destroy();
 * pooling.destroy();
 * ```
 * @category WebGPU
 */
export async function createWebGpuPooling(options: WebGpuPoolingOptions = {}): Promise<WebGpuPooling> {
  const op = 'createWebGpuPooling';
  const o = readOptions(op, options, ['device', 'gpu'], { dataNames: ['device', 'gpu'] });
  let device = o.device as GPUDevice | undefined;
  if (device !== undefined && !readCallerValue(op, 'device', () => isObject(device) && typeof device.createBuffer === 'function' && isObject(device.queue))) {
    throw new PoolingError('INVALID_PARAMETER', op, `device must be a GPUDevice; got ${show(device)}`);
  }
  const owned = device === undefined;
  // The GPU and adapter a device came from stay referenced as long as the pooling: Dawn's node
  // bindings free an instance nobody references while its device still runs (a crash, not an error).
  let source: readonly unknown[] = [];
  if (device === undefined) {
    const gpu = (o.gpu ?? (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu) as GPU | undefined;
    if (!isObject(gpu) || typeof gpu.requestAdapter !== 'function') {
      throw new PoolingError('UNSUPPORTED_OPTION', op, `no WebGPU here: navigator.gpu is missing; pass { gpu } (in Node, the webgpu package's create([])) or { device }`);
    }
    const adapter = await gpu.requestAdapter();
    if (!adapter) throw new PoolingError('UNSUPPORTED_OPTION', op, 'no WebGPU adapter: requestAdapter() returned null');
    source = [gpu, adapter];
    try {
      device = await adapter.requestDevice({
        requiredLimits: {
          maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
          maxBufferSize: adapter.limits.maxBufferSize,
        },
      });
    } catch (error) {
      throw new PoolingError('UNSUPPORTED_OPTION', op, `the WebGPU device request failed (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  const failure = await probeTwoFloat(device);
  if (failure !== undefined) {
    if (owned) device.destroy();
    throw new PoolingError(
      'UNSUPPORTED_OPTION',
      op,
      `this device's shader compiler does not keep two-float arithmetic (${failure}); its averages would not be exact. Use the CPU ops`,
    );
  }
  return makePooling(device, owned, source);
}

/** What each pooling's device came from, alive as long as the pooling (see createWebGpuPooling). */
const deviceSources = new WeakMap<WebGpuPooling, readonly unknown[]>();

function makePooling(device: GPUDevice, owned: boolean, source: readonly unknown[]): WebGpuPooling {
  const runner = new PlanRunner(device);
  let destroyed = false;

  const checkAlive = (op: string) => {
    if (destroyed) throw new PoolingError('UNSUPPORTED_OPTION', op, 'this WebGPU pooling was destroyed; create another with createWebGpuPooling');
  };

  /** Refuses what this device cannot bind; everything else was checked by planning. */
  const checkFits = (op: string, plan: PoolPlan) => {
    if (!webGpuSupports(plan)) {
      throw new PoolingError('UNSUPPORTED_OPTION', op, `the WebGPU kernels run 1 to 3 spatial axes; this plan has ${plan.axes.length}`);
    }
    // The kernels count a window's taps (padded ones too) in 32-bit integers.
    const taps = plan.axes.reduce((product, axis) => product * (axis.kind === 'sliding' ? axis.kernel : axis.size), 1);
    if (taps > MAX_ELEMENTS) {
      throw new PoolingError('UNSUPPORTED_OPTION', op, `the WebGPU kernels run windows of at most ${MAX_ELEMENTS} taps; this plan's windows have ${taps}`);
    }
    const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
    const sizes = [
      ['the input', plan.batch * plan.channels * plan.inputSpatialSize],
      ['the output', plan.batch * plan.channels * plan.outputSpatialSize],
    ] as const;
    for (const [what, elements] of sizes) {
      if (elements * 4 > limit) {
        throw new PoolingError('SIZE_TOO_LARGE', op, `${what} would take ${elements * 4} bytes; this device binds at most ${limit} bytes per buffer`);
      }
    }
  };

  /** A host tensor's data still holds its shape's elements after the awaits (a caller may resize it). */
  const checkStillHeld = (op: string, name: string, input: ReadInput | undefined, elements: number) => {
    if (input?.host && typedArrayRealLength(input.host) !== elements) {
      throw new PoolingError('DATA_LENGTH_MISMATCH', op, `${name}.data was resized or detached during the call (shape ${show(input.shape)})`);
    }
  };

  /**
   * Runs `encode` inside error scopes with `upload` for host inputs; what the GPU refuses comes
   * back coded, and the outputs `encode` made are destroyed then. Uploads and the buffers handed to
   * `temporary` are destroyed in any case (after submission, which keeps them for the queued work).
   */
  async function submit(
    op: string,
    encode: (upload: (input: ReadInput, elements: number) => GPUBuffer, temporary: (buffer: GPUBuffer | undefined) => void) => readonly (GPUBuffer | undefined)[],
  ): Promise<readonly (GPUBuffer | undefined)[]> {
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
    const temporaries: GPUBuffer[] = [];
    const temporary = (buffer: GPUBuffer | undefined) => {
      if (buffer) temporaries.push(buffer);
    };
    const upload = (input: ReadInput, elements: number): GPUBuffer => {
      if (input.buffer) return input.buffer;
      const buffer = device.createBuffer({ size: bufferBytes(elements), usage: USAGE.STORAGE | USAGE.COPY_DST, label: 'tensor-pooling input' });
      temporaries.push(buffer);
      if (elements > 0) device.queue.writeBuffer(buffer, 0, input.host!);
      return buffer;
    };
    let outputs: readonly (GPUBuffer | undefined)[] | undefined;
    let thrown: unknown;
    try {
      outputs = encode(upload, temporary);
    } catch (error) {
      thrown = error;
    }
    const outOfMemory = device.popErrorScope();
    const invalid = device.popErrorScope();
    for (const buffer of temporaries) buffer.destroy();
    const [memoryError, validationError] = await Promise.all([outOfMemory, invalid]);
    if (thrown !== undefined || memoryError || validationError || !outputs) {
      for (const buffer of outputs ?? []) buffer?.destroy();
      if (memoryError) throw new PoolingError('SIZE_TOO_LARGE', op, `the GPU ran out of memory (${memoryError.message})`);
      const why = validationError?.message ?? (thrown instanceof Error ? thrown.message : String(thrown));
      throw new PoolingError('INVALID_PARAMETER', op, `the GPU refused the call (${why}); are the tensors' buffers on this device and alive?`);
    }
    return outputs;
  }

  const gpuTensor = (buffer: GPUBuffer, shape: readonly number[], dtype: 'float32' | 'int32', layout: Layout): GpuTensor =>
    Object.freeze({ buffer, shape: Object.freeze([...shape]), dtype, layout });

  async function run(op: string, plan: PoolPlan, input: ReadInput, withIndices: boolean) {
    checkFits(op, plan);
    const pipeline = await runner.prepare(op, plan);
    checkAlive(op);
    const inputElements = plan.batch * plan.channels * plan.inputSpatialSize;
    checkStillHeld(op, 'x', input, inputElements);
    const [y, indices] = await submit(op, (upload) => {
      const output = runner.forward(plan, pipeline, upload(input, inputElements), withIndices);
      return [output.y, output.indices];
    });
    return {
      values: gpuTensor(y!, plan.outputShape, 'float32', plan.layout),
      indices: indices && gpuTensor(indices, plan.outputShape, 'int32', plan.layout),
    };
  }

  /** The gradient of a plan from dy and, for max plans, the forward input x (whose indices the forward pass finds again). */
  async function runGradient(op: string, plan: PoolPlan, dy: ReadInput, x: ReadInput | undefined): Promise<GpuTensor> {
    checkFits(op, plan);
    const [backward, forward] = await Promise.all([runner.prepareBackward(op), x && runner.prepare(op, plan)]);
    checkAlive(op);
    const planes = plan.batch * plan.channels;
    const inputElements = planes * plan.inputSpatialSize;
    const outputElements = planes * plan.outputSpatialSize;
    checkStillHeld(op, 'dy', dy, outputElements);
    checkStillHeld(op, 'x', x, inputElements);
    const [dx] = await submit(op, (upload, temporary) => {
      let indices: GPUBuffer | undefined;
      if (x && forward) {
        const output = runner.forward(plan, forward, upload(x, inputElements), true);
        temporary(output.y);
        temporary(output.indices);
        indices = output.indices;
      }
      return [runner.backward(plan, backward, upload(dy, outputElements), indices)];
    });
    return gpuTensor(dx!, plan.inputShape, 'float32', plan.layout);
  }

  async function windowOp(op: string, x: unknown, options: unknown, keys: readonly string[], isMax: boolean, withIndices: boolean) {
    checkAlive(op);
    const read = readOptions(op, options, keys);
    const input = readInput(op, 'x', x);
    const o = withLayout(op, read, [['x', input]]) as unknown as AvgPoolOptions;
    const plan = planWindowOp(op, input.shape, o, isMax ? { op: 'max', nan: 'propagate' } : avgReducer(op, o, false));
    return run(op, plan, input, withIndices);
  }

  /** The gradient ops: options, dy, then the forward input, read and checked in the CPU ops' order. */
  async function gradientOp(op: string, dy: unknown, input: unknown, options: unknown, kind: 'avg' | 'max' | 'global'): Promise<GpuTensor> {
    checkAlive(op);
    const keys = kind === 'avg' ? AVG_OPTION_KEYS : kind === 'max' ? MAX_OPTION_KEYS : GLOBAL_OPTION_KEYS;
    const read = readOptions(op, options, keys);
    const gradient = readInput(op, 'dy', dy);
    const x = kind === 'max' ? readInput(op, 'x', input) : readShapeInput(op, input);
    const o = withLayout(op, read, [['x', x], ['dy', gradient]]);
    const plan =
      kind === 'global'
        ? planGlobalOp(op, x.shape, o as GlobalOptions, { op: 'avg', divisor: 'valid', emptyWindow: 'zero' })
        : planWindowOp(op, x.shape, o as unknown as AvgPoolOptions, kind === 'max' ? { op: 'max', nan: 'propagate' } : avgReducer(op, o as unknown as AvgPoolOptions, false));
    checkGradientShape(plan, gradient.shape);
    return runGradient(op, plan, gradient, kind === 'max' ? x : undefined);
  }

  const pooling: WebGpuPooling = {
    device,
    avgPool: async (x, options) => (await windowOp('avgPool', x, options, AVG_OPTION_KEYS, false, false)).values,
    maxPool: async (x, options) => (await windowOp('maxPool', x, options, MAX_OPTION_KEYS, true, false)).values,
    maxPoolWithIndices: async (x, options) => {
      const { values, indices } = await windowOp('maxPoolWithIndices', x, options, MAX_OPTION_KEYS, true, true);
      return Object.freeze({ values, indices: indices! });
    },
    globalAvgPool: async (x, options = {}) => {
      const op = 'globalAvgPool';
      checkAlive(op);
      const read = readOptions(op, options, GLOBAL_OPTION_KEYS);
      const input = readInput(op, 'x', x);
      const plan = planGlobalOp(op, input.shape, withLayout(op, read, [['x', input]]) as GlobalOptions, { op: 'avg', divisor: 'valid', emptyWindow: 'zero' });
      return (await run(op, plan, input, false)).values;
    },
    avgPoolBackward: (dy, input, options) => gradientOp('avgPoolBackward', dy, input, options, 'avg'),
    maxPoolBackward: (dy, x, options) => gradientOp('maxPoolBackward', dy, x, options, 'max'),
    globalAvgPoolBackward: (dy, input, options = {}) => gradientOp('globalAvgPoolBackward', dy, input, options, 'global'),
    read: async (t) => {
      const op = 'read';
      checkAlive(op);
      if (!readCallerValue(op, 't', () => isObject(t))) {
        throw new PoolingError('INVALID_PARAMETER', op, `t must be a GPU tensor { buffer, shape, dtype }; got ${show(t)}`);
      }
      const tensor = readGpuTensor(op, 't', t as unknown as Record<string, unknown>, ['float32', 'int32']);
      requireUsage(op, 't', tensor.buffer!, USAGE.COPY_SRC, 'COPY_SRC');
      const elements = elementCount(op, 't', tensor.shape);
      const make = (buffer: ArrayBuffer) => (tensor.dtype === 'int32' ? new Int32Array(buffer) : new Float32Array(buffer));
      if (elements === 0) return make(new ArrayBuffer(0));
      // The scope closes before any await, so concurrent calls never pop each other's scopes.
      device.pushErrorScope('validation');
      let staging: GPUBuffer | undefined;
      let thrown: unknown;
      try {
        staging = runner.copyOut(tensor.buffer!, elements * 4);
      } catch (error) {
        thrown = error;
      }
      const refused = await device.popErrorScope();
      let bytes: ArrayBuffer | undefined;
      if (staging && !refused && thrown === undefined) {
        try {
          bytes = await runner.mapOut(staging, elements * 4);
        } catch (error) {
          thrown = error;
        }
      }
      staging?.destroy();
      if (bytes === undefined) {
        const why = refused?.message ?? (thrown instanceof Error ? thrown.message : String(thrown));
        throw new PoolingError('INVALID_PARAMETER', op, `the GPU refused to read t (${why}); is t.buffer on this device and alive?`);
      }
      return make(bytes);
    },
    destroy: () => {
      if (destroyed) return;
      destroyed = true;
      if (owned) device.destroy();
      deviceSources.delete(pooling);
    },
  };
  deviceSources.set(pooling, source);
  return Object.freeze(pooling);
}
