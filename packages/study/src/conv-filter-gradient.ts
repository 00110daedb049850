/**
 * The gradient of a 2-D convolution with respect to its filter (TF.js kernel
 * 'Conv2DBackpropFilter'), on typed arrays. TF.js 4.22's wasm backend has no such kernel (training
 * a conv layer fails there) and the cpu backend's reads every element through a slow accessor
 * (about 12 s per batch of 64 here). This has nothing to do with pooling: it only makes the
 * study's convolutional trunk trainable in reasonable time. Channels-last only, as the study is.
 */
import * as tf from '@tensorflow/tfjs-core';

interface FilterGradientAttrs {
  readonly strides: number | [number, number];
  readonly pad: 'same' | 'valid' | number;
  readonly dataFormat: 'NHWC' | 'NCHW';
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil';
  readonly filterShape: [number, number, number, number];
}

/** The two ways TF.js backends read a tensor and make one from JS values. */
interface BackendWithValues {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeTensorInfo?(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
  makeOutput?(shape: number[], dtype: 'float32', memoryOffset: undefined, values: Float32Array): tf.TensorInfo;
}

/** dW[r, s, ci, co] = sum over batch and output positions of x[b, ih, iw, ci] * dy[b, oh, ow, co]. */
export function conv2dFilterGradient(
  x: Float32Array,
  xShape: [number, number, number, number],
  dy: Float32Array,
  attrs: FilterGradientAttrs,
): Float32Array {
  const [filterHeight, filterWidth, inChannels, outChannels] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(xShape, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const [batch, inHeight, inWidth] = xShape;
  const { outHeight, outWidth, strideHeight, strideWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dw = new Float32Array(filterHeight * filterWidth * inChannels * outChannels);
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const dyOffset = ((b * outHeight + oh) * outWidth + ow) * outChannels;
        for (let r = 0; r < filterHeight; r++) {
          const ih = oh * strideHeight - top + r;
          if (ih < 0 || ih >= inHeight) continue;
          for (let s = 0; s < filterWidth; s++) {
            const iw = ow * strideWidth - left + s;
            if (iw < 0 || iw >= inWidth) continue;
            const xOffset = ((b * inHeight + ih) * inWidth + iw) * inChannels;
            const dwOffset = (r * filterWidth + s) * inChannels * outChannels;
            for (let ci = 0; ci < inChannels; ci++) {
              const xValue = x[xOffset + ci]!;
              if (xValue === 0) continue; // ReLU outputs and digit backgrounds are mostly zeros
              const row = dwOffset + ci * outChannels;
              for (let co = 0; co < outChannels; co++) dw[row + co]! += xValue * dy[dyOffset + co]!;
            }
          }
        }
      }
    }
  }
  return dw;
}

/** Registers the kernel for a backend, replacing its own. */
export function registerConv2dFilterGradient(backendName: 'cpu' | 'wasm'): void {
  if (tf.getKernel('Conv2DBackpropFilter', backendName)) tf.unregisterKernel('Conv2DBackpropFilter', backendName);
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const values = backend as unknown as BackendWithValues;
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const options = attrs as unknown as FilterGradientAttrs;
      if (options.dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter: only NHWC is implemented; got ${options.dataFormat}`);
      const dw = conv2dFilterGradient(
        values.readSync(x.dataId) as Float32Array,
        x.shape as [number, number, number, number],
        values.readSync(dy.dataId) as Float32Array,
        options,
      );
      const shape = [...options.filterShape];
      return values.makeTensorInfo ? values.makeTensorInfo(shape, 'float32', dw) : values.makeOutput!(shape, 'float32', undefined, dw);
    },
  });
}
