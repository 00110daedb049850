/** Small helpers for showing numbers and building DOM; no pooling here. */

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page lacks #${id}`);
  return node as T;
}

/** Short display of a value: integers as they are, others to 4 significant decimals. */
export function short(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (Number.isInteger(value)) return `${value}`;
  return `${Number(value.toPrecision(4))}`;
}

export function grouped(value: number): string {
  return value.toLocaleString('en-US');
}

/** Browsers coarsen performance.now() (Chromium: 0.1 ms without cross-origin isolation). */
export function milliseconds(ms: number): string {
  if (ms < 0.1) return '< 0.1 ms';
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/**
 * A control's text as the library expects it: '' is absent, '2' a number, '2, 3' one per axis,
 * a word stays a word (the library names it in its message when it is wrong).
 */
export function parseParam(text: string): number | number[] | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const parts = trimmed.split(/[\s,]+/).filter((p) => p !== '');
  const numbers = parts.map(Number);
  if (numbers.every((n) => Number.isFinite(n))) return numbers.length === 1 ? numbers[0]! : numbers;
  return trimmed;
}
