/** Redis Stream entry ids (`<ms>-<seq>`): validation and ordering, so clients can resume with `since`. */
const STREAM_ID = /^(\d{1,20})(?:-(\d{1,20}))?$/;

export function isStreamId(value: unknown): value is string {
  return typeof value === 'string' && STREAM_ID.test(value);
}

function parts(id: string): [bigint, bigint] {
  const m = STREAM_ID.exec(id);
  if (!m) throw new TypeError(`not a stream id: ${id}`);
  return [BigInt(m[1]!), BigInt(m[2] ?? '0')];
}

/** Negative when a comes before b, zero when equal, positive after. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as] = parts(a);
  const [bm, bs] = parts(b);
  if (am !== bm) return am < bm ? -1 : 1;
  return as === bs ? 0 : as < bs ? -1 : 1;
}
