/**
 * `tensor-pooling/webgpu`: pooling on the GPU through WebGPU, executing the same plans as the CPU
 * ops, with the same options, validation and error codes. Tensors live in GPUBuffers on the
 * caller's device (or one requested from `navigator.gpu`); ops are async and return GPU tensors
 * without a readback. Averages are exact to 1 ulp (two-float sums, a corrected division, checked
 * by a start-up probe); max pooling gives PyTorch's per-plane indices.
 *
 * This release covers average, max and global average pooling, forward and backward (the
 * gradients gather in a fixed order: no atomics), float32, 1 to 3 spatial axes, both layouts. The
 * `tensor-pooling` entry never loads this code.
 * @module tensor-pooling/webgpu
 */
export { createWebGpuPooling } from './pooling.js';
export type {
  GpuTensor,
  GpuValuesWithIndices,
  WebGpuAvgPoolOptions,
  WebGpuGlobalOptions,
  WebGpuInput,
  WebGpuPooling,
  WebGpuPoolingOptions,
  WebGpuShapeInput,
  WebGpuWindowOptions,
} from './pooling.js';
