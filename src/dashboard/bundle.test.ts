import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDashboard } from '../../scripts/build-dashboard.js';
import { DASHBOARD_DIST, loadAssets } from './assets.js';

async function files(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const d of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!d.isFile()) continue;
    const path = join(d.parentPath, d.name);
    out.set(relative(dir, path), await readFile(path, 'utf8'));
  }
  return out;
}

describe('committed dashboard bundle', () => {
  it('is what npm run build:dashboard makes from dashboard/src (rebuild and commit dist if not)', async () => {
    const out = await mkdtemp(join(tmpdir(), 'paraloom-dashboard-build-'));
    try {
      await buildDashboard(out);
      const fresh = await files(out);
      const committed = await files(DASHBOARD_DIST);
      expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
      for (const [name, text] of fresh) expect(committed.get(name), name).toBe(text);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('loads as the server serves it, without any CDN', async () => {
    const assets = await loadAssets();
    const html = assets.get('/')!.body.toString();
    expect(html).toMatch(/<script type="module" crossorigin src="\.\/assets\/index-[\w-]+\.js"><\/script>/);
    for (const [path, asset] of assets) {
      expect(asset.body.toString(), path).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z]/i);
    }
  });
});
