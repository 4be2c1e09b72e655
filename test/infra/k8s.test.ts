/**
 * The Kubernetes manifests (infra/k8s) are validated against the Kubernetes and KEDA schemas
 * (kubernetes-models, @kubernetes-models/keda), and checked against vigil itself: the example config
 * parses as vigil's config, every object the kustomizations name exists, each ScaledObject scales a
 * Deployment there and watches the frame queue the config's namespace gives, and every Secret key used
 * is one the example Secret has.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import * as apps from 'kubernetes-models/apps/v1';
import * as core from 'kubernetes-models/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as keda from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { parseConfig, redisKeys } from '@vigil/core';
import { REPO_ROOT } from '../support/vigilProcess.js';

const K8S = join(REPO_ROOT, 'infra', 'k8s');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  [key: string]: unknown;
}

/** The model class of each apiVersion/kind the manifests use; an unknown one fails the test. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': apps.Deployment,
  'v1/Service': core.Service,
  'v1/Secret': core.Secret,
  'v1/PersistentVolumeClaim': core.PersistentVolumeClaim,
  'networking.k8s.io/v1/Ingress': networking.Ingress,
  'keda.sh/v1alpha1/ScaledObject': keda.ScaledObject,
  'keda.sh/v1alpha1/TriggerAuthentication': keda.TriggerAuthentication,
};

function manifestFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? manifestFiles(join(dir, e.name)) : e.name.endsWith('.yaml') && e.name !== 'kustomization.yaml' ? [join(dir, e.name)] : [],
  );
}

function manifestsOf(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Manifest);
}

const files = manifestFiles(K8S);
const all = files.flatMap((f) => manifestsOf(f).map((m) => ({ file: f.slice(K8S.length + 1), m })));

describe('infra/k8s', () => {
  it('holds manifests for ingest, workers (CPU and GPU), the gateway and its Service and Ingress, KEDA scaling', () => {
    const names = all.map(({ m }) => `${m.kind}/${m.metadata.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'Deployment/vigil-ingest',
        'Deployment/vigil-worker',
        'Deployment/vigil-worker-gpu',
        'Deployment/vigil-gateway',
        'Service/vigil-gateway',
        'Ingress/vigil-gateway',
        'ScaledObject/vigil-worker',
        'ScaledObject/vigil-worker-gpu',
        'TriggerAuthentication/vigil-redis',
      ]),
    );
  });

  it('validates every object against the Kubernetes and KEDA schemas', () => {
    for (const { file, m } of all) {
      const Model = MODELS[`${m.apiVersion}/${m.kind}`];
      expect(Model, `${file}: no schema for ${m.apiVersion} ${m.kind}`).toBeDefined();
      expect(() => new Model!(m as never).validate(), `${file}: ${m.kind}/${m.metadata.name}`).not.toThrow();
    }
  });

  it('the schemas catch a broken manifest (the validation can fail)', () => {
    const deployment = all.find(({ m }) => m.kind === 'Deployment')!.m as unknown as { spec: { replicas: unknown } };
    expect(() => new apps.Deployment({ ...deployment, spec: { ...deployment.spec, replicas: 'two' } } as never).validate()).toThrow();
    const scaled = all.find(({ m }) => m.kind === 'ScaledObject')!.m as unknown as { spec: Record<string, unknown> };
    expect(() => new keda.ScaledObject({ ...scaled, spec: { ...scaled.spec, scaleTargetRef: undefined } } as never).validate()).toThrow();
  });

  it('names in each kustomization exist, and the GPU overlay builds on the base', () => {
    for (const dir of ['base', 'gpu']) {
      const k = parseYaml(readFileSync(join(K8S, dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
      for (const r of k.resources) expect(existsSync(join(K8S, dir, r)), `${dir}: ${r}`).toBe(true);
    }
    expect((parseYaml(readFileSync(join(K8S, 'gpu', 'kustomization.yaml'), 'utf8')) as { resources: string[] }).resources).toContain('../base');
  });

  it('agrees with vigil: the example config parses, scalers watch its frame queue and scale a Deployment, and every Secret key used exists', () => {
    const secrets = manifestsOf(join(K8S, 'base', 'secrets.example.yaml')) as unknown as { metadata: { name: string }; stringData: Record<string, string> }[];
    const configSecret = secrets.find((s) => s.metadata.name === 'vigil-config')!;
    const config = parseConfig(parseYaml(configSecret.stringData['vigil.yaml']!), 'secrets.example.yaml');
    const waitList = `bull:${redisKeys(config.namespace).frameQueue}:wait`;
    const deployments = new Set(all.filter(({ m }) => m.kind === 'Deployment').map(({ m }) => m.metadata.name));
    for (const { m } of all.filter(({ m }) => m.kind === 'ScaledObject')) {
      const spec = m.spec as { scaleTargetRef: { name: string }; triggers: { type: string; metadata: { listName: string } }[] };
      expect(deployments).toContain(spec.scaleTargetRef.name);
      expect(spec.triggers.map((t) => [t.type, t.metadata.listName])).toEqual([['redis', waitList]]);
    }
    // Every secretKeyRef and secretTargetRef names a key of the example Secrets.
    const keysOf = new Map(secrets.map((s) => [s.metadata.name, new Set(Object.keys(s.stringData))]));
    const refs = [...JSON.stringify(all.map(({ m }) => m)).matchAll(/"(?:secretKeyRef|secretTargetRef)":(\{[^}]*\}|\[[^\]]*\])/g)].flatMap(
      (r) => [JSON.parse(r[1]!)].flat() as { name: string; key: string }[],
    );
    expect(refs.length).toBeGreaterThan(5);
    for (const r of refs) expect(keysOf.get(r.name), `${r.name}/${r.key}`).toContain(r.key);
    // The services read the config where the Secret is mounted, and the data directory it names is mounted.
    for (const { m } of all.filter(({ m }) => m.kind === 'Deployment')) {
      const c = (m.spec as { template: { spec: { containers: { args: string[]; volumeMounts: { mountPath: string }[] }[] } } }).template.spec.containers[0]!;
      expect(c.args.slice(1)).toEqual(['--config', '/etc/vigil/vigil.yaml']);
      expect(c.volumeMounts.map((v) => v.mountPath)).toEqual(expect.arrayContaining([dirname('/etc/vigil/vigil.yaml'), config.dataDir]));
    }
  });
});
