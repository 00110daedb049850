/** The README's first example, runnable: `npm run demo`. */
import { avgPool, globalAvgPool, maxPool, poolOutputShape, tensor } from '../src/index.js';

const x = tensor([1, 1, 4, 4], Float32Array.from({ length: 16 }, (_, i) => i + 1));
const y = avgPool(x, { kernel: 2, stride: 2 });
console.log('4x4 input, average pooling, kernel 2, stride 2 ->', y.shape, Array.from(y.data));
console.log('same input, max pooling ->', Array.from(maxPool(x, { kernel: 2 }).data));

const features = tensor([1, 2, 7, 7], Float32Array.from({ length: 98 }, (_, i) => (i < 49 ? 1 : i - 49)));
const g = globalAvgPool(features, { keepDims: true });
console.log('two 7x7 channels, global average pooling ->', g.shape, Array.from(g.data));
console.log('ResNet-50 head input from 224x224:', poolOutputShape([1, 2048, 7, 7], { global: true }));
