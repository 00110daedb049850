/**
 * `tensor-pooling/tfjs`: tensor-pooling inside TensorFlow.js. Differentiable ops and layers whose
 * forward pass and gradient are the library's, with the options TF.js lacks (countIncludePad,
 * ceilMode with PyTorch's rule, dilation with padding, 1-D, 3-D, channels-first, adaptive and
 * masked pooling). Needs @tensorflow/tfjs-core and @tensorflow/tfjs-layers (peer dependencies);
 * the core package never loads them. Layout defaults to 'channels-last' here, TF.js's convention.
 */
export {
  adaptiveAvgPool,
  adaptiveMaxPool,
  avgPool,
  globalAvgPool,
  globalMaxPool,
  maskedGlobalAvgPool,
  maxPool,
} from './ops.js';
export type { TfMaskedGlobalOptions } from './ops.js';
export {
  AdaptiveAvgPool,
  AvgPool,
  GlobalAvgPool,
  GlobalMaxPool,
  MaskedGlobalAvgPool,
  MaxPool,
  adaptiveAvgPoolLayer,
  avgPoolLayer,
  globalAvgPoolLayer,
  globalMaxPoolLayer,
  maskedGlobalAvgPoolLayer,
  maxPoolLayer,
  outputShapeWithUnknowns,
} from './layers.js';
export type { AdaptivePoolLayerArgs, AvgPoolLayerArgs, GlobalPoolLayerArgs, LayerArgs, MaxPoolLayerArgs } from './layers.js';
