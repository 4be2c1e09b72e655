/** A tiny structured logger: one line per event, `time level component message key=value…`. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

function threshold(): number {
  const env = (process.env.VIGIL_LOG_LEVEL ?? 'info') as LogLevel;
  return order[env] ?? order.info;
}

function format(v: unknown): string {
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v;
  if (v instanceof Error) return JSON.stringify(v.message);
  return JSON.stringify(v);
}

export function createLogger(component: string): Logger {
  const emit = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < threshold()) return;
    const kv = fields
      ? Object.entries(fields)
          .map(([k, v]) => ` ${k}=${format(v)}`)
          .join('')
      : '';
    process.stderr.write(`${new Date().toISOString()} ${level.padEnd(5)} ${component}: ${msg}${kv}\n`);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
