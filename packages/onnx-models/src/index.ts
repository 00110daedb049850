/**
 * tensor-pooling-onnx: pooling in whole ONNX models. {@link inspectOnnxModel} reports every pooling
 * node (what it computes, its shapes, how each axis was sized by the ONNX dialect's plan, what each
 * known runtime does with it); {@link rewriteOnnxModel} replaces the nodes onnxruntime-web refuses or
 * gets wrong with exact equivalents and leaves every other byte of the file alone. Models are read
 * and written with onnx-buf (ONNX's schema for @bufbuild/protobuf).
 */
export { inspectOnnxModel } from './inspect.js';
export type { InspectOptions, OnnxModelReport, PoolingNodeReport, AxisSizing, RuntimeVerdict, ShapeSource } from './inspect.js';
export { rewriteOnnxModel } from './rewrite.js';
export type { RewriteOptions, RewriteResult, RewriteTarget, NodeRewrite, NodeLeftAlone } from './rewrite.js';
export { RUNTIME_RULES, RUNTIMES } from './runtimes.js';
export type { RuntimeId, RuntimeEffect, RuntimeRule, RuleExample, NodeFacts } from './runtimes.js';
export { NEWEST_KNOWN_OPSET, POOLING_OP_TYPES } from './pooling-nodes.js';
export type { AttributeValue, DeclaredShape } from './pooling-nodes.js';
