/**
 * `tensor-pooling onnx inspect` and `tensor-pooling onnx rewrite`: the command-line face of
 * tensor-pooling-onnx. Every rule about the model is that package's; this file reads the file,
 * parses flags and prints.
 */
import type { OnnxModelReport, RewriteResult } from 'tensor-pooling-onnx';
import { CliError, printable } from './errors.js';
import { checkOutputPath, writeAtomically } from './files.js';
import { readInputFile } from './input-file.js';

/**
 * tensor-pooling-onnx is an optional peer (it brings a protobuf library the pooling commands do not
 * need): loaded when an onnx command runs, and said plainly when it is not installed.
 */
async function onnxPackage(): Promise<typeof import('tensor-pooling-onnx')> {
  try {
    return await import('tensor-pooling-onnx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes("'tensor-pooling-onnx'")) {
      throw new CliError('the onnx commands need the package tensor-pooling-onnx installed beside tensor-pooling-cli');
    }
    throw error;
  }
}

/** protobuf's limit: an .onnx file is never larger (bigger models keep weights in external data). */
const MAX_MODEL_BYTES = 2 ** 31 - 1;

/** `--input-shape name=1x3x224x224`, one flag per value: the shapes tensor-pooling-onnx takes as inputShapes. */
export function parseInputShapes(flags: readonly string[] | undefined): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const flag of flags ?? []) {
    const match = /^(.+)=(\d+(?:[x,]\d+)*)$/.exec(flag);
    if (match === null) throw new CliError(`--input-shape ${JSON.stringify(flag)}: expected name=sizes, as X=1x3x224x224`);
    const [, name, sizes] = match;
    if (name! in shapes) throw new CliError(`--input-shape: ${JSON.stringify(name)} is given twice`);
    shapes[name!] = sizes!.split(/[x,]/).map(Number);
  }
  return shapes;
}

function shapeText(shape: readonly (number | string)[] | null): string {
  return shape === null ? '?' : `[${shape.join(', ')}]`;
}

/** The report of `onnx inspect`, for people. */
export function renderReport(file: string, report: OnnxModelReport): string {
  const lines = [`${file}: IR ${report.irVersion}, opset ${report.opset ?? '?'}, ${report.nodeCount} node${report.nodeCount === 1 ? '' : 's'}, ${report.poolingNodes.length} pooling`];
  for (const node of report.poolingNodes) {
    lines.push('', `${node.name} (${node.opType}, node ${node.index}): ${node.description}`);
    lines.push(`  X ${node.input.name} ${shapeText(node.input.shape)}${node.input.shapeFrom === 'unknown' ? ' (unknown: give it with --input-shape)' : ''} -> Y ${node.output.name} ${shapeText(node.output.shape)}`);
    if (node.refused !== null) lines.push(`  refused by the ONNX spec's rules: ${node.refused.message} [${node.refused.code}]`);
    for (const axis of node.axes) lines.push(`  ${axis.name}: ${axis.formula}`);
    for (const warning of node.warnings) lines.push(`  warning: ${warning}`);
    for (const runtime of node.runtimes) {
      const verdict = runtime.verdict === 'spec' ? 'computes what the spec says' : runtime.verdict;
      lines.push(`  ${runtime.runtime}: ${verdict}${runtime.tested ? '' : ' (not tested here)'}`);
      for (const reason of runtime.reasons) lines.push(`    ${reason}`);
    }
  }
  if (report.nestedPoolingNodes > 0) {
    lines.push('', `${report.nestedPoolingNodes} pooling node${report.nestedPoolingNodes === 1 ? '' : 's'} inside subgraphs or local functions not inspected`);
  }
  return `${lines.map(printable).join('\n')}\n`;
}

/** `onnx inspect <model>`: prints the report (text or JSON). */
export async function inspectCommand(file: string, flags: { inputShape?: string[]; json?: boolean }): Promise<string> {
  const { inspectOnnxModel } = await onnxPackage();
  const bytes = await readInputFile(file, MAX_MODEL_BYTES);
  const report = inspectOnnxModel(bytes, { inputShapes: parseInputShapes(flags.inputShape) });
  return flags.json ? `${JSON.stringify(report, null, 1)}\n` : renderReport(file, report);
}

/** What `onnx rewrite` says on stderr: each node changed, each left alone, and where the model went. */
export function renderRewrite(input: string, output: string, result: RewriteResult): string {
  const lines = [
    ...result.rewritten.map((node) => `${node.name} (${node.opType}): ${node.change}`),
    ...result.leftAlone.map((node) => `${node.name} (${node.opType}) left alone: ${node.reason}`),
    `${input} -> ${output}: ${result.rewritten.length} node${result.rewritten.length === 1 ? '' : 's'} rewritten, ${result.leftAlone.length} left alone`,
  ];
  return `${lines.map(printable).join('\n')}\n`;
}

/** `onnx rewrite <input> -o <output> --for ort-web`: never writes over the input; an existing output only with --force. */
export async function rewriteCommand(input: string, flags: { output: string; for: string; force?: boolean; inputShape?: string[] }): Promise<string> {
  if (flags.for !== 'ort-web') throw new CliError(`--for ${JSON.stringify(flags.for)}: the one target is ort-web`);
  checkOutputPath(input, flags.output, flags.force === true);
  const { rewriteOnnxModel } = await onnxPackage();
  const bytes = await readInputFile(input, MAX_MODEL_BYTES);
  const result = rewriteOnnxModel(bytes, { for: 'ort-web', inputShapes: parseInputShapes(flags.inputShape) });
  await writeAtomically(flags.output, result.bytes);
  return renderRewrite(input, flags.output, result);
}
