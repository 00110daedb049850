/**
 * tensor-pooling: average pooling, global average pooling and the pooling family, forward and
 * backward, with each ecosystem's exact rules. Options in any dialect become one validated plan;
 * kernels only execute plans.
 *
 * Every op takes tensors `{ shape, data }` (Float32Array or Float64Array data, row-major) and an
 * options object read once; it refuses bad input with a {@link PoolingError} whose `code` says
 * what was wrong, before allocating anything. The dialect namespaces {@link torch}, {@link onnx},
 * {@link keras} and {@link tfjs} take each ecosystem's own argument names and defaults.
 * TF.js tensors and layers are in the `tensor-pooling/tfjs` entry.
 * @module tensor-pooling
 */
export { tensor, dtypeOf, MAX_ELEMENTS, MAX_RANK, setMaxBytes, getMaxBytes } from './tensor.js';
export type { Tensor, FloatArray, DType, Layout } from './tensor.js';
export { PoolingError } from './plan/errors.js';
export type { PoolingErrorCode } from './plan/errors.js';
export type { PaddingOption } from './plan/padding.js';
export type { PoolPlan, PlanAxis, SlidingAxis, AdaptiveAxis, Reducer } from './plan/plan.js';
export { slidingOutputSize, samePadding, effectiveKernel, adaptiveStart, adaptiveEnd } from './ops/formulas.js';
export type { SlidingGeometry, OutputRounding } from './plan/output-size.js';

export type { CommonOptions, WindowOptions, AvgPoolOptions, LpPoolOptions } from './ops/options.js';
export type { IndexTensor, ValuesWithIndices } from './ops/run.js';
export {
  avgPool,
  avgPoolBackward,
  maxPool,
  maxPoolWithIndices,
  maxPoolBackward,
  lpPool,
  lpPoolBackward,
  planAvgPool,
  planMaxPool,
  planLpPool,
} from './ops/window-ops.js';
export {
  globalAvgPool,
  globalAvgPoolBackward,
  globalMaxPool,
  globalMaxPoolBackward,
  globalLpPool,
  globalLpPoolBackward,
  adaptiveAvgPool,
  adaptiveAvgPoolBackward,
  adaptiveMaxPool,
  adaptiveMaxPoolWithIndices,
  adaptiveMaxPoolBackward,
} from './ops/global-ops.js';
export type { GlobalOptions, GlobalLpOptions, AdaptiveOptions } from './ops/global-ops.js';
export { maskedGlobalAvgPool, maskedGlobalAvgPoolBackward } from './ops/masked.js';
export type { MaskedGlobalOptions } from './ops/masked.js';
export { maxUnpool, maxUnpoolBackward } from './ops/unpool.js';
export type { MaxUnpoolOptions } from './ops/unpool.js';
export { poolOutputShape } from './ops/output-shape.js';
export type { OutputShapeOptions } from './ops/output-shape.js';
export { headParameters } from './ops/heads.js';
export type { HeadParameters } from './ops/heads.js';
export { observeRuns, planOfCall } from './ops/observe.js';
export type { RunRecord, Observed } from './ops/observe.js';
export { explainPlan, explainWindow } from './plan/explain.js';
export type { PlanExplanation, AxisExplanation, AxisWindowExplanation, WindowExplanation, AxisTap, TapKind, ExplainOptions } from './plan/explain.js';
export { planRowBands } from './plan/row-bands.js';
export type { RowBand } from './plan/row-bands.js';
export { registerBackend, backendNames, selectBackend } from './backends.js';
export { allocSharedTensor, toSharedTensor } from './kernels/workers/shared-tensors.js';
export { startWorkers, workersUnavailable } from './kernels/workers/threads.js';
export type { Backend } from './backends.js';
export type { ForwardResult } from './kernels/backend.js';
export { init, addStartupTask } from './init.js';
export type { InitResult } from './init.js';
export { WasmTensor, allocWasmTensor, toWasmTensor, reserveWasmMemory, wasmMemoryUse } from './kernels/wasm/zero-copy.js';
export type { WasmMemoryUse } from './kernels/wasm/zero-copy.js';
export { poolInto } from './ops/pool-into.js';
export type { PoolIntoOptions } from './ops/pool-into.js';

// Dialects: each ecosystem's own argument names, defaults and results.
/** @category Dialects */
export * as onnx from './dialects/onnx.js';
/** @category Dialects */
export * as tfjs from './dialects/tfjs.js';
export { runOnnxNode } from './dialects/onnx.js';
export type { OnnxTensor, OnnxData, OnnxAttributes, OnnxOpType, OnnxRunOptions, OnnxOutputName } from './dialects/onnx.js';
export type { NumericArray, NumericTensor, IntegerArray } from './dialects/common.js';
/** @category Dialects */
export * as torch from './dialects/torch.js';
/** @category Dialects */
export * as keras from './dialects/keras.js';
