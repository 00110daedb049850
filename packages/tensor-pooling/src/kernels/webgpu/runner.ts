/**
 * Executes plans on one GPUDevice: compiles each kernel once, writes the plan's words, dispatches,
 * and hands back the output buffers without reading them. Callers (src/webgpu/) have validated
 * everything before they get here; what the GPU itself refuses comes back through error scopes.
 */
import { PoolingError } from '../../plan/errors.js';
import type { PoolPlan } from '../../plan/plan.js';
import { isWholePlaneAverage, planWords } from './plan-words.js';
import { WINDOW_WORKGROUP, backwardShader, globalAverageShader, windowShader } from './shaders.js';

/**
 * GPUBufferUsage's flags by value (the spec fixes them), so that the library needs no global
 * GPUBufferUsage (Node programs that use the `webgpu` package do not always install its globals).
 */
export const USAGE = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  STORAGE: 0x0080,
} as const;

/** GPUMapMode.READ, by value as USAGE. */
const MAP_MODE_READ = 0x0001;

/** Storage buffers hold whole 32-bit words; a binding is never empty. */
export function bufferBytes(elements: number): number {
  return Math.max(4, elements * 4);
}

/** What one forward run made: the output's buffer and, for max plans, the indices'. */
export interface RunOutput {
  readonly y: GPUBuffer;
  readonly indices?: GPUBuffer;
}

type Kernel = 'window' | 'global' | 'backward';

const SHADERS: Readonly<Record<Kernel, () => string>> = { window: windowShader, global: globalAverageShader, backward: backwardShader };

/**
 * A dispatch of `groups` workgroups as x * y within the per-dimension limit (the shaders read the
 * linear workgroup index back from workgroup_id and num_workgroups).
 */
export function dispatchSize(groups: number, perDimension: number): [number, number] {
  const x = Math.min(groups, perDimension);
  return [x, Math.ceil(groups / x)];
}

export class PlanRunner {
  private readonly pipelines = new Map<Kernel, Promise<GPUComputePipeline>>();

  /**
   * @param device - Where the kernels run.
   * @param groupsPerDimension - Workgroups one dispatch dimension takes before the count folds into
   *   the second (the device's limit; tests set a small one to reach the fold with little work).
   */
  constructor(
    readonly device: GPUDevice,
    private readonly groupsPerDimension: number = device.limits.maxComputeWorkgroupsPerDimension,
  ) {}

  /** Each kernel compiles once, in the background (createComputePipelineAsync); a failed compile is not cached. */
  private pipeline(op: string, kernel: Kernel): Promise<GPUComputePipeline> {
    let pipeline = this.pipelines.get(kernel);
    if (!pipeline) {
      const code = SHADERS[kernel]();
      const module = this.device.createShaderModule({ code, label: `tensor-pooling ${kernel}` });
      pipeline = this.device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } }).catch((error: unknown) => {
        this.pipelines.delete(kernel);
        const why = error instanceof Error ? error.message : String(error);
        throw new PoolingError('UNSUPPORTED_OPTION', op, `this device could not compile the ${kernel} kernel (${why})`);
      });
      this.pipelines.set(kernel, pipeline);
    }
    return pipeline;
  }

  /** The kernel this plan needs, compiled (or a coded error): awaited before any buffer is made. */
  prepare(op: string, plan: PoolPlan): Promise<GPUComputePipeline> {
    return this.pipeline(op, isWholePlaneAverage(plan) ? 'global' : 'window');
  }

  /** The backward kernel, compiled (or a coded error): awaited before any buffer is made. */
  prepareBackward(op: string): Promise<GPUComputePipeline> {
    return this.pipeline(op, 'backward');
  }

  private storage(elements: number, usage: number, label: string): GPUBuffer {
    return this.device.createBuffer({ size: bufferBytes(elements), usage: USAGE.STORAGE | usage, label });
  }

  /**
   * Encodes and submits the plan's forward pass reading `x` (its first `plan input` elements);
   * the returned buffers belong to the caller. `withIndices` asks max plans for their indices.
   */
  forward(plan: PoolPlan, pipeline: GPUComputePipeline, x: GPUBuffer, withIndices: boolean): RunOutput {
    const device = this.device;
    const outputs = plan.batch * plan.channels * plan.outputSpatialSize;
    const y = this.storage(outputs, USAGE.COPY_SRC | USAGE.COPY_DST, 'tensor-pooling output');
    const isMax = plan.reducer.op === 'max';
    const indices = isMax && withIndices ? this.storage(outputs, USAGE.COPY_SRC | USAGE.COPY_DST, 'tensor-pooling indices') : undefined;
    if (outputs === 0) return { y, indices };
    const words = planWords(plan);
    const planBuffer = this.storage(words.length, USAGE.COPY_DST, 'tensor-pooling plan');
    device.queue.writeBuffer(planBuffer, 0, words);
    const inputBinding = { buffer: x, offset: 0, size: bufferBytes(plan.batch * plan.channels * plan.inputSpatialSize) };
    const whole = isWholePlaneAverage(plan);
    // Average plans write no indices, and max plans without indices write them nowhere useful:
    // the shader's binding still needs a buffer of its own.
    const scratch = whole || indices ? undefined : this.storage(isMax ? outputs : 1, 0, 'tensor-pooling scratch');
    const entries: GPUBindGroupEntry[] = whole
      ? [
          { binding: 0, resource: inputBinding },
          { binding: 1, resource: { buffer: y } },
          { binding: 2, resource: { buffer: planBuffer } },
        ]
      : [
          { binding: 0, resource: inputBinding },
          { binding: 1, resource: { buffer: y } },
          { binding: 2, resource: { buffer: (indices ?? scratch)! } },
          { binding: 3, resource: { buffer: planBuffer } },
        ];
    this.dispatch('tensor-pooling forward', pipeline, entries, whole ? plan.batch * plan.channels : Math.ceil(outputs / WINDOW_WORKGROUP));
    // Destroying after submit frees them once the submitted work is done with them.
    planBuffer.destroy();
    scratch?.destroy();
    return { y, indices };
  }

  /** Encodes and submits one pass of `groups` workgroups (folded into two dimensions past the limit). */
  private dispatch(label: string, pipeline: GPUComputePipeline, entries: GPUBindGroupEntry[], groups: number): void {
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const [gx, gy] = dispatchSize(groups, this.groupsPerDimension);
    const encoder = this.device.createCommandEncoder({ label });
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(gx, gy);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
  }

  /**
   * Encodes and submits the plan's backward pass: dL/dx from `dy` (the output's gradient, of the
   * plan's output shape and layout) and, for max plans, the forward's `indices`. The returned
   * buffer belongs to the caller.
   */
  backward(plan: PoolPlan, pipeline: GPUComputePipeline, dy: GPUBuffer, indices: GPUBuffer | undefined): GPUBuffer {
    const device = this.device;
    const inputs = plan.batch * plan.channels * plan.inputSpatialSize;
    const outputs = plan.batch * plan.channels * plan.outputSpatialSize;
    const dx = this.storage(inputs, USAGE.COPY_SRC | USAGE.COPY_DST, 'tensor-pooling gradient');
    // New buffers hold zeros: the gradient of an empty tensor's inputs needs no pass.
    if (inputs === 0 || outputs === 0) return dx;
    if (plan.reducer.op === 'max' && !indices) throw new Error('the max gradient needs the forward indices');
    const words = planWords(plan, true);
    const planBuffer = this.storage(words.length, USAGE.COPY_DST, 'tensor-pooling plan');
    device.queue.writeBuffer(planBuffer, 0, words);
    // Average plans read no indices; the binding still needs a buffer.
    const scratch = indices ? undefined : this.storage(1, 0, 'tensor-pooling scratch');
    const entries: GPUBindGroupEntry[] = [
      { binding: 0, resource: { buffer: dy, offset: 0, size: bufferBytes(outputs) } },
      { binding: 1, resource: { buffer: dx } },
      { binding: 2, resource: { buffer: (indices ?? scratch)! } },
      { binding: 3, resource: { buffer: planBuffer } },
    ];
    this.dispatch('tensor-pooling backward', pipeline, entries, Math.ceil(inputs / WINDOW_WORKGROUP));
    planBuffer.destroy();
    scratch?.destroy();
    return dx;
  }

  /** Encodes and submits a copy of `bytes` of `buffer` into a new mappable buffer (the caller destroys it). */
  copyOut(buffer: GPUBuffer, bytes: number): GPUBuffer {
    const device = this.device;
    const staging = device.createBuffer({ size: Math.max(4, bytes), usage: USAGE.MAP_READ | USAGE.COPY_DST, label: 'tensor-pooling read' });
    const encoder = device.createCommandEncoder({ label: 'tensor-pooling read' });
    encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
    device.queue.submit([encoder.finish()]);
    return staging;
  }

  /** The first `bytes` of a buffer from copyOut, once the copy is done. */
  async mapOut(staging: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    await staging.mapAsync(MAP_MODE_READ);
    return staging.getMappedRange(0, bytes).slice(0);
  }
}
