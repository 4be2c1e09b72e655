/** The README is the map a new engineer reads first: its Layout lists every package and service there is, and it points only inside the repository. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/vigilProcess.js';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

function layoutEntries(under: 'packages' | 'services'): string[] {
  const block = readme.split('## Layout')[1]?.split('```')[1] ?? '';
  return [...block.matchAll(new RegExp(`^${under}/([a-z-]+)\\s`, 'gm'))].map((m) => m[1]!).sort();
}

function folders(under: string): string[] {
  return readdirSync(join(REPO_ROOT, under), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

describe('README', () => {
  it('Layout lists exactly the folders of packages/ and services/', () => {
    expect(layoutEntries('packages')).toEqual(folders('packages'));
    expect(layoutEntries('services')).toEqual(folders('services'));
  });

  it('sends readers to nothing outside the repository', () => {
    expect(readme).not.toMatch(/\.\.\/shared|DESIGN\.md|\/work\/|\/home\//);
  });
});
