/** The YAML config file: schema, defaults and loading. Errors name the key and what is wrong. */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './errors.js';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1–64 letters, digits, "-" or "_"');

const sourceUrl = z
  .string()
  .min(1)
  .refine((u) => !/^[a-z][a-z0-9+.-]*:/i.test(u) || /^(rtsp|rtsps|rtmp|http|https|file|udp|srt):/i.test(u), 'must be an rtsp://, rtsps://, http(s):// or file URL, or a file path');

/** A point in normalised frame coordinates: x and y in 0–1 of the analysed frame's width and height. */
const point = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]);
/** A mask's or zone's outline; the camera model's manifest keeps the same (packages/anomaly areas.ts). */
export const polygonSchema = z.array(point).min(3, 'needs at least 3 points [x, y] (each 0–1 of the frame)');
const polygon = polygonSchema;

export const alertPolicySchema = z.strictObject({
  /** Frames over threshold within `confirmSeconds` needed to open an alert. */
  confirmFrames: z.number().int().min(1).max(100).default(3),
  confirmSeconds: z.number().positive().max(60).default(1.5),
  /** An open alert closes after this long with no frame over threshold. */
  quietSeconds: z.number().positive().max(3600).default(3),
  /** An `update` is sent at most this often while an alert goes on. */
  updateSeconds: z.number().positive().max(3600).default(2),
  /** The whole view changed (covered, turned, defocused) for this long opens a camera-tampered alert; default 30. */
  tamperSeconds: z.number().positive().max(3600).optional(),
});

export const cameraSchema = z.strictObject({
  id,
  name: z.string().optional(),
  url: sourceUrl,
  /** Analysed frames per second. */
  fps: z.number().positive().max(30).default(5),
  /** Width of the analysed frame in pixels; height keeps the aspect ratio (rounded to even). */
  width: z.number().int().min(64).max(1920).default(320),
  /** A camera that delivers no frames for this long opens a camera-offline alert (closed when frames return). */
  offlineSeconds: z.number().positive().max(3600).default(15),
  /** Learn normal from the first N seconds when no model exists. */
  learnSeconds: z.number().positive().max(3600).default(30),
  /** Loop a file source (files only). */
  loop: z.boolean().default(true),
  alerts: alertPolicySchema.prefault({}),
  /** Alert history older than this is deleted (with its snapshots). */
  retentionDays: z.number().positive().max(3650).default(30),
  /** Ensemble members trained for this camera (detector names); the default set when absent. */
  members: z.array(z.string().min(1)).min(1).optional(),
  /** How members' normalised scores combine: 'max' (any member alarms; the default) or 'geometric-mean' (evidence multiplies). */
  combine: z.enum(['max', 'geometric-mean']).optional(),
  /**
   * Where only CPUs score: the backbone tier runs on frames the cheap tier scores ≥ threshold, on every
   * sampleEvery-th frame, and on every frame for escalateSeconds after a full score ≥ escalateAt.
   */
  cascade: z
    .strictObject({
      threshold: z.number().min(0).max(100).default(0.6),
      sampleEvery: z.number().int().min(1).max(10000).default(10),
      escalateAt: z.number().min(0).max(100).default(0.5),
      escalateSeconds: z.number().positive().max(3600).default(3),
    })
    .prefault({}),
  /** Share of normal frames allowed over threshold when calibrating this camera's model. */
  targetFalsePositiveRate: z.number().gt(0).lt(0.5).default(0.01),
  /** Areas never judged (a timestamp overlay, trees, sky): polygons in 0–1 frame coordinates. */
  masks: z.array(z.strictObject({ name: z.string().optional(), polygon })).default([]),
  /** Areas watched (lanes, shoulders): when any is given, only these are judged. */
  zones: z.array(z.strictObject({ name: id, polygon })).default([]),
});

export const webhookSchema = z.strictObject({
  /** Names the endpoint in logs, metrics and the delivery log. */
  id,
  url: z
    .string()
    .url()
    .refine((u) => /^https?:/i.test(u), 'must be an http:// or https:// URL'),
  /** Standard Webhooks secret: `whsec_` and base64 of 24–64 random bytes. */
  secret: z.string().regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'must be "whsec_" followed by base64 (Standard Webhooks)'),
  /** Only events of these cameras; all when absent. */
  cameras: z.array(z.string()).optional(),
  /** Allow targets in loopback and private ranges (refused by default). */
  allowPrivateNetwork: z.boolean().default(false),
});

export const configSchema = z
  .strictObject({
    redis: z.strictObject({ url: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://') }).prefault({ url: 'redis://127.0.0.1:6379' }),
    /** Prefix of every Redis key and queue, so several deployments can share one Redis. */
    namespace: id.default('vigil'),
    dataDir: z.string().default('./data'),
    gateway: z.strictObject({
      host: z.string().default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(8080),
      tokens: z.array(z.strictObject({ token: z.string().min(8, 'must be at least 8 characters'), role: z.enum(['viewer', 'operator', 'admin']) })).min(1, 'needs at least one token'),
      heartbeatSeconds: z.number().positive().max(300).default(15),
      /** `/healthz` says degraded when a camera delivers frames but none has been scored for this long (no worker, no model). */
      unscoredSeconds: z.number().positive().max(3600).default(30),
    }),
    ingest: z
      .strictObject({
        /** Frames of one camera waiting or being scored; beyond this new frames are dropped (and counted). */
        maxInFlight: z.number().int().min(1).max(1000).default(8),
        frameTtlSeconds: z.number().int().min(5).max(3600).default(20),
        /** No frame for this long restarts the decoder. */
        stallSeconds: z.number().positive().max(600).default(10),
        /** A camera's first fit (a `learn` job on the workers) is tried this many times, waiting learnBackoffSeconds, then twice that, … between tries. */
        learnAttempts: z.number().int().min(1).max(20).default(3),
        learnBackoffSeconds: z.number().positive().max(3600).default(10),
        /**
         * Several ingest processes may share one config: each camera is read by one of them, which holds its
         * lease (renewed every third of this); when that process dies, another takes the camera within this long.
         */
        leaseSeconds: z.number().min(1).max(300).default(10),
      })
      .prefault({}),
    worker: z
      .strictObject({
        concurrency: z.number().int().min(1).max(64).default(2),
        metricsPort: z.number().int().min(0).max(65535).optional(),
      })
      .prefault({}),
    /** PostgreSQL for the alert history; without it alerts are only live (WebSocket, webhooks). */
    history: z.strictObject({ postgresUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://') }).optional(),
    webhooks: z.array(webhookSchema).default([]),
    cameras: z.array(cameraSchema).min(1, 'needs at least one camera'),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.cameras.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['cameras', i, 'id'], message: `duplicate camera id "${c.id}"` });
      seen.add(c.id);
    });
  });

export type Config = z.infer<typeof configSchema>;
export type CameraConfig = z.infer<typeof cameraSchema>;
export type AlertPolicy = z.infer<typeof alertPolicySchema>;
export type WebhookConfig = z.infer<typeof webhookSchema>;

function keyPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '') || '(top level)';
}

/** Validates an already-parsed config object; throws one ConfigError naming the first bad key. */
export function parseConfig(raw: unknown, source = 'config'): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    else if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) message = 'is required';
    throw new ConfigError(`${source}: ${keyPath(issue.path)}: ${message}`);
  }
  return result.data;
}

/**
 * Backends' URLs from the environment, over the file's: `VIGIL_REDIS_URL` → redis.url,
 * `VIGIL_POSTGRES_URL` → history.postgresUrl. They carry credentials, which belong in a secret (a
 * Kubernetes Secret, a compose env file), not in a config file that is shared and reviewed.
 */
export function withBackendsFromEnv(raw: unknown, env: NodeJS.ProcessEnv = process.env): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const cfg = { ...(raw as Record<string, unknown>) };
  const section = (key: string) => (cfg[key] && typeof cfg[key] === 'object' && !Array.isArray(cfg[key]) ? (cfg[key] as Record<string, unknown>) : {});
  if (env.VIGIL_REDIS_URL) cfg.redis = { ...section('redis'), url: env.VIGIL_REDIS_URL };
  if (env.VIGIL_POSTGRES_URL) cfg.history = { ...section('history'), postgresUrl: env.VIGIL_POSTGRES_URL };
  return cfg;
}

/**
 * Reads and validates a YAML config file (backend URLs from the environment win, see
 * withBackendsFromEnv). Relative paths in it resolve against the file's folder.
 */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`${file}: cannot read config file (${code === 'ENOENT' ? 'no such file' : (code ?? String(err))})`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true });
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` line ${err.linePos[0].line}` : '';
    throw new ConfigError(`${file}:${where} invalid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const fromEnv = [env.VIGIL_REDIS_URL ? 'VIGIL_REDIS_URL' : '', env.VIGIL_POSTGRES_URL ? 'VIGIL_POSTGRES_URL' : ''].filter(Boolean);
  const cfg = parseConfig(withBackendsFromEnv(raw, env), fromEnv.length ? `${file} (with ${fromEnv.join(', ')})` : file);
  const base = dirname(resolve(file));
  cfg.dataDir = resolve(base, cfg.dataDir);
  for (const cam of cfg.cameras) {
    if (!/^[a-z][a-z0-9+.-]*:/i.test(cam.url)) cam.url = resolve(base, cam.url);
  }
  return cfg;
}
