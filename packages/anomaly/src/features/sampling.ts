/** Which training frames the backbone members run the backbone over, when they are given more than they need. */

/** Evenly spaced items, at most `max`, first one included. */
export function evenlySpaced<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)]!);
}
