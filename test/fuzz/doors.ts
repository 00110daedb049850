/**
 * The table of every public door of tensor-pooling: each function exported by src/index.ts
 * (dialect namespaces included: torch.*, keras.*, tfjs.*, onnx.*) and by the tensor-pooling/tfjs
 * entry (src/tfjs/index.ts). Each door has a generator of valid calls with what they must return
 * (doors-*.ts); mutate.ts turns them hostile. fuzz.test.ts fails when an export has no door.
 */
import type { Door } from './calls.js';
import { CORE_DOORS } from './doors-core.js';
import { DIALECT_DOORS } from './doors-dialects.js';
import { MISC_DOORS } from './doors-misc.js';
import { TFJS_DOORS } from './doors-tfjs.js';

export type { Door } from './calls.js';

export const DOORS: readonly Door[] = [...CORE_DOORS, ...MISC_DOORS, ...DIALECT_DOORS, ...TFJS_DOORS];

const byName = new Map(DOORS.map((door) => [door.name, door]));

export function doorNamed(name: string): Door | undefined {
  return byName.get(name);
}

/**
 * The door names a module's exports call for: `name` for a function, `ns.name` for a function of
 * an exported namespace, each prefixed (`tfjs/` for the tfjs entry).
 */
export function functionExports(module: Record<string, unknown>, prefix = ''): string[] {
  const names: string[] = [];
  for (const [key, value] of Object.entries(module)) {
    if (typeof value === 'function') names.push(`${prefix}${key}`);
    else if (typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[Symbol.toStringTag] === 'Module') {
      for (const [inner, innerValue] of Object.entries(value)) if (typeof innerValue === 'function') names.push(`${prefix}${key}.${inner}`);
    }
  }
  return names.sort();
}
