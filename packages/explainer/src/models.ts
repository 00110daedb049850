/**
 * The downsampling stages of three classic networks: every layer that changes the spatial size,
 * as (kernel, stride, padding). Layers that keep the size (3x3 convolutions with padding 1, 1x1
 * convolutions) are left out. The final feature map's size follows from these stages with the
 * library's output-size rule (floor((L + 2p - k) / s) + 1), which convolutions share with pooling.
 */
export interface Stage {
  readonly name: string;
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
}

export interface Network {
  readonly name: string;
  /** The input size the published classifier was trained at. */
  readonly standardSize: number;
  /** Channels of the final feature map. */
  readonly channels: number;
  readonly stages: readonly Stage[];
  readonly source: string;
}

/** The most common downsampling layer: a 3x3 convolution with stride 2 and padding 1. */
function conv3x3Stride2(name: string): Stage {
  return { name: `${name} 3×3 stride 2`, kernel: 3, stride: 2, padding: 1 };
}

export const NETWORKS: readonly Network[] = [
  {
    name: 'ResNet-50',
    standardSize: 224,
    channels: 2048,
    stages: [
      { name: 'conv1 7×7 stride 2', kernel: 7, stride: 2, padding: 3 },
      { name: 'max pool 3×3 stride 2', kernel: 3, stride: 2, padding: 1 },
      ...['layer2', 'layer3', 'layer4'].map(conv3x3Stride2),
    ],
    source: 'He et al. 2015, torchvision resnet50',
  },
  {
    name: 'VGG-16',
    standardSize: 224,
    channels: 512,
    stages: [1, 2, 3, 4, 5].map((i) => ({ name: `max pool ${i} 2×2 stride 2`, kernel: 2, stride: 2, padding: 0 })),
    source: 'Simonyan and Zisserman 2014, torchvision vgg16 (its real head is 3 dense layers; here one)',
  },
  {
    name: 'MobileNetV2',
    standardSize: 224,
    channels: 1280,
    stages: ['conv', 'block 24, depthwise', 'block 32, depthwise', 'block 64, depthwise', 'block 160, depthwise'].map(conv3x3Stride2),
    source: 'Sandler et al. 2018, torchvision mobilenet_v2',
  },
];
