/**
 * `tensor-pooling explain` for the ceil-mode case L=5, kernel 2, stride 2, padding 1 in every
 * dialect: the padded row is [p, 0, 1, 2, 3, 4, p] (positions -1 to 5); (5 + 2 - 2) / 2 = 2.5, so
 * ceil mode asks for 4 windows, and the 4th would start at 3 * 2 - 1 = 5, in the end padding.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { cli } from './run-cli.js';

const CASE = ['explain', '--input', '5', '--kernel', '2', '--stride', '2', '--padding', '1', '--ceil'];

interface ExplainJson {
  op: string;
  outputShape: number[];
  axes: { name: string; out: number; formula: string; windows: { output: number; taps: { position: number; kind: string }[]; inInput: number }[] }[];
  windows: { outputIndex: number[]; divisor: number | null; reason: string }[];
  warnings: string[];
}

function explainJson(...extra: string[]): ExplainJson {
  const result = cli([...CASE, ...extra, '--json']);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as ExplainJson;
}

test('torch: 3 windows, the 4th dropped by the ceil rule; padding counts, so every divisor is 2', () => {
  const e = explainJson('--dialect', 'torch');
  assert.equal(e.op, 'avg_pool1d');
  assert.equal(e.axes[0]!.out, 3);
  assert.match(e.axes[0]!.formula, /\(5 \+ 1 \+ 1 - 2\) \/ 2 \+ 1/);
  assert.deepEqual(e.axes[0]!.windows.map((w) => w.taps.map((t) => `${t.position}${t.kind[0]}`)), [['-1p', '0i'], ['1i', '2i'], ['3i', '4i']]);
  assert.deepEqual(e.windows.map((w) => w.divisor), [2, 2, 2]);
  assert.deepEqual(e.warnings, ['axis W: ceil mode drops window 3: it would start at 5, inside the end padding (the input ends at 4)']);
  const text = cli([...CASE, '--dialect', 'torch']);
  assert.equal(text.status, 0);
  // The drawing: the dropped window's start marked in the end padding.
  assert.match(text.stdout, /position +-1 +0 +1 +2 +3 +4 +5\n +p +\. +\. +\. +\. +\. +p\n +window 0 +o +#\n/);
  assert.match(text.stdout, /window 3 +! +dropped: it would start in the end padding/);
  assert.match(text.stdout, /warning: axis W: ceil mode drops window 3/);
});

test('onnx: the same 3 windows; count_include_pad 0 by default divides the first by 1, with it by 2', () => {
  const e = explainJson('--dialect', 'onnx');
  assert.equal(e.op, 'AveragePool');
  assert.deepEqual(e.outputShape, [1, 1, 3]);
  assert.deepEqual(e.windows.map((w) => w.divisor), [1, 2, 2]);
  assert.match(e.warnings[0]!, /ceil mode drops window 3/);
  assert.deepEqual(explainJson('--dialect', 'onnx', '--count-include-pad').windows.map((w) => w.divisor), [2, 2, 2]);
});

test('tfjs: the 4th window is kept although it holds no input (H x 1 map, as TF.js has no 1-D pooling)', () => {
  const e = explainJson('--dialect', 'tfjs');
  assert.equal(e.op, 'avgPool');
  assert.deepEqual(e.outputShape, [4, 1, 1]);
  assert.equal(e.axes[0]!.windows[3]!.inInput, 0);
  assert.deepEqual(e.axes[0]!.windows[3]!.taps, [{ position: 5, kind: 'padding' }, { position: 6, kind: 'overhang' }]);
  assert.match(e.windows[3]!.reason, /no input.*NaN/);
  assert.deepEqual(e.warnings, ['axis H: window 3 lies only in the padding and holds no input (average NaN)']);
});

test('keras: no ceil mode and no numeric padding (exit 2); "same" is what Keras offers', () => {
  const refused = cli([...CASE, '--dialect', 'keras']);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /--ceil has no counterpart in the keras dialect: the pooling layers have no ceil mode/);
  const same = cli(['explain', '--input', '5', '--kernel', '2', '--stride', '2', '--padding', 'same', '--dialect', 'keras', '--json']);
  assert.equal(same.status, 0, same.stderr);
  const e = JSON.parse(same.stdout) as ExplainJson;
  assert.equal(e.op, 'AveragePooling1D');
  // 'same': ceil(5 / 2) = 3 windows, the odd pad at the end: [0, 1], [2, 3], [4, pad].
  assert.deepEqual(e.windows.map((w) => w.divisor), [2, 2, 1]);
});

test('--compare puts the dialects side by side, Keras as not expressible, every row naming the axis W', () => {
  const result = cli([...CASE, '--compare']);
  assert.equal(result.status, 0, result.stderr);
  const rows = result.stdout.split('\n');
  assert.match(rows.find((r) => r.startsWith('torch'))!, /^torch +avg_pool1d +3 +2 2 2 +axis W: ceil mode drops window 3/);
  assert.match(rows.find((r) => r.startsWith('onnx'))!, /^onnx +AveragePool +3 +1 2 2 /);
  // TF.js runs the 1-D call on a 5x1 map; its row still shows the one axis the input has, as W.
  assert.match(rows.find((r) => r.startsWith('tfjs'))!, /^tfjs +avgPool +4 +1 2 2 0 +axis W: window 3 lies only in the padding/);
  assert.match(result.stdout, /\ntfjs:\n {2}ran on a 5x1 map \(axes H, W\); its axis H is axis W here\n {2}axis W: out = /);
  assert.doesNotMatch(result.stdout, /axis H:/);
  assert.match(rows.find((r) => r.startsWith('keras'))!, /^keras +- +not expressible +- +--ceil has no counterpart/);
  const json = cli([...CASE, '--compare', '--json']);
  const dialects = JSON.parse(json.stdout) as { dialect: string; axes?: { name: string }[]; warnings?: string[]; error?: string }[];
  assert.deepEqual(dialects.map((d) => d.dialect), ['native', 'torch', 'onnx', 'keras', 'tfjs']);
  assert.ok(dialects[3]!.error);
  for (const d of dialects.filter((d) => d.axes)) {
    assert.deepEqual(d.axes!.map((axis) => axis.name), ['W'], d.dialect);
    assert.ok(d.warnings!.every((w) => w.startsWith('axis W: ')), d.dialect);
  }
});

test('explain names the flag of a refused value: --input 0, a kernel past 2^53, --stride 0 in the onnx dialect', () => {
  const zero = cli(['explain', '--input', '0', '--kernel', '2']);
  assert.equal(zero.status, 2);
  assert.equal(zero.stderr, 'tensor-pooling: --input must be positive sizes, one per spatial axis (e.g. 5 or 7x7); got "0"\n');
  const huge = cli(['explain', '--input', '5', '--kernel', '99999999999999999999']);
  assert.equal(huge.status, 2);
  assert.match(huge.stderr, /--kernel must be whole numbers of at most 9007199254740991, one or one per axis .*; got "99999999999999999999"/);
  const stride = cli(['explain', '--input', '5', '--kernel', '2', '--stride', '0', '--dialect', 'onnx']);
  assert.equal(stride.status, 2);
  assert.match(stride.stderr, /^tensor-pooling: --stride 0: AveragePool: strides must hold only positive integers; got \[0\] \[INVALID_PARAMETER\]\n$/);
});

test('2-D: every output element with its divisor; explain needs --input', () => {
  const e = JSON.parse(cli(['explain', '--input', '7x7', '-k', '3', '-s', '2', '-p', '1', '--ceil', '--dialect', 'torch', '--json']).stdout) as ExplainJson;
  assert.deepEqual(e.axes.map((a) => a.out), [4, 4]);
  assert.equal(e.windows.length, 16);
  // Corner window: 2 x 2 taps in the input, 3 x 3 in input + padding.
  assert.deepEqual(e.windows[0]!, { ...e.windows[0]!, outputIndex: [0, 0], divisor: 9 });
  const missing = cli(['explain', '--kernel', '2']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /explain needs --input/);
});

test('a huge input is explained in what fits on a screen: the first windows, the rest counted, no drawing wider than a line', () => {
  for (const args of [
    ['--input', '1000000000', '--kernel', '2'],
    ['--input', '1000000000', '--kernel', '1000000', '--stride', '1', '--padding', 'same'],
    ['--input', '5', '--op', 'adaptive-avg', '--output-size', '1000000000'],
  ]) {
    const result = cli(['explain', ...args]);
    assert.equal(result.status, 0, result.stderr);
    assert.ok(result.stdout.length < 64 * 1024, `${args.join(' ')}: ${result.stdout.length} characters`);
    assert.match(result.stdout, /more windows/);
    assert.ok(result.stdout.split('\n').every((line) => line.length < 400), 'every line fits a wide terminal');
  }
  const json = cli(['explain', '--input', '1000000000', '--kernel', '2', '--json']);
  const e = JSON.parse(json.stdout) as ExplainJson & { totalWindows: number };
  assert.equal(e.axes[0]!.out, 500_000_000);
  assert.equal(e.axes[0]!.windows.length, 1024);
  assert.equal(e.totalWindows, 500_000_000);
  // Every dialect plans the 30000x30000 map without computing it.
  const compared = cli(['explain', '--input', '30000x30000', '--kernel', '2', '--compare']);
  assert.equal(compared.status, 0, compared.stderr);
  assert.match(compared.stdout, /^torch +avg_pool2d +15000x15000/m);
  assert.match(compared.stdout, /^tfjs +avgPool +15000x15000/m);
  assert.equal(cli(['explain', '--input', '65536x65536', '--kernel', '2', '--dialect', 'torch']).status, 2);
});
