/**
 * The start-up probe: does this device's shader compiler keep two-float arithmetic? WGSL allows
 * reassociation and fusion, and a compiler that rewrites (a + b) - a into b turns TwoSum's error
 * term into 0 (gpuweb #4562: Metal fast-math on Apple M1). The probe runs the kernels' own helpers
 * on values the compiler cannot see and compares their bits with answers known exactly here: the
 * error terms of TwoSum and TwoProduct are exact float64 differences of float32 operands.
 */
import { USAGE } from './runner.js';
import { TWO_FLOAT_WGSL, probeShader } from './shaders.js';

/**
 * Pairs whose sums and products have error terms a float32 computation loses; each pair's exponents
 * lie within 29 binades, so a + b is exact in float64 too.
 */
const PAIRS: readonly (readonly [number, number])[] = [
  [1, 2 ** -30],
  [2 ** 24, 1],
  [-3.5, 1e-6],
  [1 + 2 ** -12, 1 + 2 ** -12],
  [16777215, 16777213],
  [0.1, 0.3],
  [1000, -999.999],
  [-1e-3, 1e4],
].map(([a, b]) => [Math.fround(a!), Math.fround(b!)] as const);

const bits = new Uint32Array(1);
const float = new Float32Array(bits.buffer);

function floatOf(word: number): number {
  bits[0] = word;
  return float[0]!;
}

function ulpsApart(a: number, b: number): number {
  const ordinal = (v: number) => {
    float[0] = v;
    const word = bits[0]!;
    return word & 0x80000000 ? -(word & 0x7fffffff) : word;
  };
  return Math.abs(ordinal(a) - ordinal(b));
}

/** What the probe found wrong, for the error message, or undefined when every answer was right. */
export function checkProbe(results: Uint32Array): string | undefined {
  for (let k = 0; k < PAIRS.length; k++) {
    const [a, b] = PAIRS[k]!;
    const sum = Math.fround(a + b);
    const product = Math.fround(a * b);
    // Float32 operands: a + b and a * b are exact in float64, so are their differences from the float32 results.
    const expected = [sum, a + b - sum, product, a * b - product];
    const got = Array.from(results.subarray(5 * k, 5 * k + 4), floatOf);
    const names = ['TwoSum', 'TwoSum error', 'TwoProduct', 'TwoProduct error'];
    for (let i = 0; i < 4; i++) {
      if (!Object.is(got[i], expected[i])) return `${names[i]} of ${a} and ${b} gave ${got[i]}, expected ${expected[i]}`;
    }
    const mean = floatOf(results[5 * k + 4]!);
    const exact = Math.fround((a + b) / 3);
    if (ulpsApart(mean, exact) > 1) return `(${a} + ${b}) / 3 gave ${mean}, expected ${exact} within 1 ulp`;
  }
  return undefined;
}

/**
 * Runs the probe on `device`: undefined when two-float arithmetic survives its compiler, else what
 * went wrong. `twoFloat` replaces the helpers' WGSL (tests hand it a broken variant).
 */
export async function probeTwoFloat(device: GPUDevice, twoFloat: string = TWO_FLOAT_WGSL): Promise<string | undefined> {
  device.pushErrorScope('validation');
  let scopeOpen = true;
  const module = device.createShaderModule({ code: probeShader(twoFloat), label: 'tensor-pooling probe' });
  const input = device.createBuffer({ size: PAIRS.length * 8, usage: USAGE.STORAGE | USAGE.COPY_DST });
  const output = device.createBuffer({ size: PAIRS.length * 20, usage: USAGE.STORAGE | USAGE.COPY_SRC });
  const staging = device.createBuffer({ size: PAIRS.length * 20, usage: USAGE.MAP_READ | USAGE.COPY_DST });
  try {
    const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    device.queue.writeBuffer(input, 0, Float32Array.from(PAIRS.flat()));
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: input } },
        { binding: 1, resource: { buffer: output } },
      ],
    });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(PAIRS.length);
    pass.end();
    encoder.copyBufferToBuffer(output, 0, staging, 0, PAIRS.length * 20);
    device.queue.submit([encoder.finish()]);
    scopeOpen = false;
    const error = await device.popErrorScope();
    if (error) return `the probe shader was refused (${error.message})`;
    await staging.mapAsync(0x0001);
    return checkProbe(new Uint32Array(staging.getMappedRange().slice(0)));
  } catch (error) {
    if (scopeOpen) await device.popErrorScope().catch(() => undefined);
    return `the probe could not run (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    input.destroy();
    output.destroy();
    staging.destroy();
  }
}
