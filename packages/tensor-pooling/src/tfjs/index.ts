/**
 * `tensor-pooling/tfjs`: tensor-pooling inside TensorFlow.js. Differentiable ops and layers whose
 * forward pass and gradient are the library's, with the options TF.js lacks (countIncludePad,
 * ceilMode with PyTorch's rule, dilation with padding, 1-D, 3-D, channels-first, adaptive and
 * masked pooling). Needs @tensorflow/tfjs-core and @tensorflow/tfjs-layers (peer dependencies);
 * the core package never loads them. Layout defaults to 'channels-last' here, TF.js's convention.
 *
 * Importing this entry (`import 'tensor-pooling/tfjs'` alone is enough) registers its layers with
 * TF.js's serialization (`tf.serialization.registerClass`) under their class names: AvgPool, MaxPool,
 * GlobalAvgPool, GlobalMaxPool, AdaptiveAvgPool, MaskedGlobalAvgPool. A saved model that uses them
 * loads only in a program that made this import before `tf.loadLayersModel`; without it TF.js throws
 * "Unknown layer: AvgPool. This may be due to ...". `model.summary()` lists such a layer as
 * `name (AvgPool)`. Models saved by 0.1.0, which named the classes TensorPoolingAvgPool etc., load too.
 * @module tensor-pooling/tfjs
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
