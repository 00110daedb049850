/**
 * `tensor-pooling/webgpu`: pooling on the GPU through WebGPU, executing the same plans as the CPU
 * ops, with the same options, validation and error codes. Tensors live in GPUBuffers on the
 * caller's device (or one requested from `navigator.gpu`); ops are async and return GPU tensors
 * without a readback. Averages are exact to 1 ulp (two-float sums, a corrected division, checked
 * by a start-up probe); max pooling gives PyTorch's per-plane indices.
 *
 * This first release covers the forward passes of average, max and global average pooling,
 * float32, 1 to 3 spatial axes, both layouts. The `tensor-pooling` entry never loads this code.
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
  WebGpuWindowOptions,
} from './pooling.js';
