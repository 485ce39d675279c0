/**
 * What each layer of an image adds (A), modifies (M) and removes (D), and how
 * much of the image is wasted: bytes of file versions that a later layer
 * overwrites or removes still ship in the lower layer (dive's metric).
 *
 *   wasted     = Σ size of every file version overwritten or removed later
 *   total      = Σ size of every file version in every layer
 *   efficiency = 1 - wasted / total, and 1.0 for an image without bytes
 *
 * `analyzeLayers` is pure (entries in, analysis out) so the CLI, the TUI and
 * tests share it; `readLayerEntries` is the one function that reads a layer's
 * diff directory, with overlay's conventions: a 0/0 character device is a
 * whiteout, `trusted.overlay.opaque=y` on a directory hides what lies below.
 */
import fs from 'node:fs';
import { below, bytePath, displayName, type BytePath } from '../layers/names.js';

export type EntryType = 'file' | 'dir' | 'symlink' | 'other' | 'whiteout';

/** One path of a layer's diff dir, relative ("etc/passwd"). */
export interface LayerEntry {
  /** for display (layers/names.ts): bytes that are not UTF-8 appear as \xNN, so distinct names stay distinct */
  path: string;
  type: EntryType;
  /** bytes for regular files, 0 otherwise */
  size: number;
  /** a directory that replaces (hides) the same directory of lower layers */
  opaque?: boolean;
}

export type ChangeMark = 'A' | 'M' | 'D';

export interface LayerChange {
  path: string;
  mark: ChangeMark;
  type: EntryType;
  size: number;
}

export interface LayerAnalysis {
  /** the layer's changes over the layers below, sorted by path */
  changes: LayerChange[];
  /** bytes of regular files this layer holds */
  size: number;
}

export interface Inefficiency {
  path: string;
  /** how many layers hold a version of the path (removals count too) */
  count: number;
  /** bytes of the versions later overwritten or removed */
  wastedBytes: number;
}

export interface ImageAnalysis {
  layers: LayerAnalysis[];
  totalBytes: number;
  wastedBytes: number;
  /** 0…1 */
  efficiency: number;
  /** worst first */
  inefficiencies: Inefficiency[];
}

const isBelow = (p: string, dir: string) => p.startsWith(`${dir}/`);

/** Analyses layers given bottom to top. */
export function analyzeLayers(layers: readonly (readonly LayerEntry[])[]): ImageAnalysis {
  /** what the merged image holds so far: path → size and type */
  const merged = new Map<string, { type: EntryType; size: number }>();
  const waste = new Map<string, Inefficiency>();
  let totalBytes = 0;
  const wasteOf = (p: string): Inefficiency => {
    let w = waste.get(p);
    if (!w) {
      w = { path: p, count: 1, wastedBytes: 0 };
      waste.set(p, w);
    }
    return w;
  };
  /** removes `p` and everything below it from the merged view, counting lost file bytes as waste */
  const drop = (p: string, self: boolean) => {
    for (const [q, e] of merged) {
      if ((self && q === p) || isBelow(q, p)) {
        if (e.type === 'file' && e.size > 0) {
          const w = wasteOf(q);
          w.wastedBytes += e.size;
          w.count++;
        }
        merged.delete(q);
      }
    }
  };
  const out: LayerAnalysis[] = [];
  for (const entries of layers) {
    const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const present = new Set(sorted.filter((e) => e.type !== 'whiteout').map((e) => e.path));
    /** paths an opaque dir of this layer hid and the layer then provides again: modifications, not additions */
    const hidden = new Set<string>();
    const changes: LayerChange[] = [];
    let size = 0;
    // Removals first: whiteouts and opaque directories act on the layers below only.
    for (const e of sorted) {
      if (e.type === 'whiteout') {
        const existed = merged.has(e.path);
        drop(e.path, true);
        if (existed) {
          changes.push({ path: e.path, mark: 'D', type: 'whiteout', size: 0 });
        }
      } else if (e.type === 'dir' && e.opaque) {
        for (const q of merged.keys()) {
          if (!isBelow(q, e.path)) continue;
          if (present.has(q)) hidden.add(q);
          else changes.push({ path: q, mark: 'D', type: merged.get(q)!.type, size: 0 });
        }
        drop(e.path, false);
      }
    }
    for (const e of sorted) {
      if (e.type === 'whiteout') continue;
      const before = merged.get(e.path);
      if (before) {
        if (before.type === 'file' && before.size > 0) {
          const w = wasteOf(e.path);
          w.wastedBytes += before.size;
          w.count++;
        }
        if (before.type === 'dir' && e.type !== 'dir') drop(e.path, false);
      }
      // a directory that merely holds changed children is not itself a change
      const mark: ChangeMark = before || hidden.has(e.path) ? 'M' : 'A';
      if (!(before && before.type === 'dir' && e.type === 'dir' && !e.opaque)) changes.push({ path: e.path, mark, type: e.type, size: e.size });
      merged.set(e.path, { type: e.type, size: e.size });
      if (e.type === 'file') {
        size += e.size;
        totalBytes += e.size;
      }
    }
    changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    out.push({ changes, size });
  }
  const wastedBytes = [...waste.values()].reduce((n, w) => n + w.wastedBytes, 0);
  return {
    layers: out,
    totalBytes,
    wastedBytes,
    efficiency: totalBytes === 0 ? 1 : 1 - wastedBytes / totalBytes,
    inefficiencies: [...waste.values()].filter((w) => w.wastedBytes > 0).sort((a, b) => b.wastedBytes - a.wastedBytes || a.path.localeCompare(b.path)),
  };
}

/** What reads the opaque xattr; the engine's Native satisfies it. */
export interface XattrReader {
  lgetxattr(path: string | Buffer, name: string): Buffer | null;
}

const OPAQUE_XATTR = 'trusted.overlay.opaque';

/**
 * The entries of one layer's diff dir (store.layerDiff(chainId)). The walk
 * reads names as bytes (a name that is not UTF-8 must still be found by
 * lstat) and turns them into display paths only for the entries.
 */
export function readLayerEntries(diffDir: string, xattrs: XattrReader): LayerEntry[] {
  const entries: LayerEntry[] = [];
  const walk = (rel: BytePath) => {
    let names: BytePath[];
    try {
      names = fs.readdirSync(below(diffDir, rel), { encoding: 'buffer' }).map(bytePath);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const childRel = rel ? `${rel}/${name}` : name;
      const abs = below(diffDir, childRel);
      const stat = fs.lstatSync(abs);
      const path = displayName(childRel);
      if (stat.isCharacterDevice() && stat.rdev === 0) {
        entries.push({ path, type: 'whiteout', size: 0 });
      } else if (stat.isDirectory()) {
        const opaque = xattrs.lgetxattr(abs, OPAQUE_XATTR)?.toString() === 'y';
        entries.push({ path, type: 'dir', size: 0, ...(opaque ? { opaque } : {}) });
        walk(childRel);
      } else if (stat.isSymbolicLink()) {
        entries.push({ path, type: 'symlink', size: 0 });
      } else if (stat.isFile()) {
        entries.push({ path, type: 'file', size: stat.size });
      } else {
        entries.push({ path, type: 'other', size: 0 });
      }
    }
  };
  walk('');
  return entries;
}
