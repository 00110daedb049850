/** How the report and the targets write numbers, so a ratio reads the same in both. */

/** A ratio: two decimals below 10x, none from there on. */
export function times(value: number | undefined): string {
  return value === undefined ? '—' : `${value >= 10 ? value.toFixed(0) : value.toFixed(2)}x`;
}

export function percent(value: number | undefined): string {
  return value === undefined ? '—' : `${(value * 100).toFixed(0)}%`;
}
