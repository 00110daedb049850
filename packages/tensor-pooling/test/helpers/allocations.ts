/**
 * Counts the typed arrays constructed while a function runs, to show that an error comes before
 * any buffer is allocated. The global constructors are swapped for counting proxies for the
 * duration of the call; instanceof keeps working because a proxy forwards `prototype`. A view of
 * an existing buffer (`new Float32Array(buffer, offset, length)`) allocates no memory and is not
 * counted.
 */
const COUNTED = ['Float32Array', 'Float64Array', 'Int32Array', 'Uint8Array', 'BigInt64Array'] as const;

export interface Outcome {
  /** The element count of every typed array constructed by `new`, in order. */
  readonly allocations: number[];
  readonly error: unknown;
}

export function runCountingAllocations(run: () => unknown): Outcome {
  const allocations: number[] = [];
  const globals = globalThis as unknown as Record<string, unknown>;
  const originals = COUNTED.map((name) => globals[name]);
  COUNTED.forEach((name, i) => {
    globals[name] = new Proxy(originals[i] as new (...args: unknown[]) => ArrayLike<unknown>, {
      construct(target, args) {
        const made = new target(...args);
        const isView = args[0] instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && args[0] instanceof SharedArrayBuffer);
        if (!isView) allocations.push(made.length);
        return made;
      },
    });
  });
  let error: unknown;
  try {
    run();
  } catch (caught) {
    error = caught;
  } finally {
    COUNTED.forEach((name, i) => (globals[name] = originals[i]));
  }
  return { allocations, error };
}
