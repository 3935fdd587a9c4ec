import { accessSync, constants, existsSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

/** An unusable output folder; the CLI prints the message (one line) and exits 2. */
export class OutDirError extends Error {
  constructor(
    readonly flag: string,
    readonly dir: string,
    why: string,
  ) {
    super(`${flag} ${dir}: ${why}`);
    this.name = 'OutDirError';
  }
}

export interface OutDirRequest {
  /** The folder as given on the command line; undefined: a new timestamped folder under `defaultBase`. */
  out?: string;
  /** Allow a folder that already holds results (files in `markers`). */
  force: boolean;
  /** Parent of the default folders, e.g. results/runs. */
  defaultBase: string;
  /** Scenario name, for the default folder's name. */
  name: string;
  /** Files whose presence means the folder holds results, e.g. summary.json. */
  markers: readonly string[];
  /** Other files of an earlier run (replays, graphs) that --force removes with the markers, so none outlives its summary. */
  artifacts?: RegExp;
  /** The flag named in errors. */
  flag?: string;
  /** Clock for the default folder name (tests). */
  now?: Date;
}

/** Regular files in `dir` whose names match `pattern` (among the first MAX_SCAN entries). */
function oldArtifacts(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  let seen = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (++seen > MAX_SCAN) break;
    if (entry.isFile() && pattern.test(entry.name)) out.push(entry.name);
  }
  return out;
}

/** Kernel filesystems: writes there fail or do strange things, and Node's recursive mkdir spins forever under /proc. */
const FORBIDDEN_ROOTS = ['/proc', '/sys', '/dev'];
/** Bounds: path depth walked, numbered default folders tried, folder entries scanned for stale temp files. */
const MAX_DEPTH = 256;
const MAX_SUFFIX = 1000;
const MAX_SCAN = 100_000;

/**
 * Checks and creates the output folder before any simulation runs:
 * not a file, not under /proc, /sys or /dev, writable, and holding no
 * earlier results unless `force`. Removes temp files left by dead
 * processes. Returns the folder to write into.
 */
export function prepareOutDir(req: OutDirRequest): string {
  const flag = req.flag ?? '--out';
  let dir: string;
  if (req.out === undefined) {
    dir = claimNewFolder(req.defaultBase, req.name, req.now ?? new Date(), flag);
    checkWritable(flag, dir);
  } else {
    dir = req.out;
    if (dir.trim() === '') throw new OutDirError(flag, JSON.stringify(dir), 'must name a folder');
    checkNotKernel(flag, dir);
    if (existsSync(dir)) {
      if (!statSync(dir).isDirectory()) throw new OutDirError(flag, dir, 'is a file, not a folder; choose a folder');
      const held = req.markers.filter((m) => existsSync(join(dir, m)));
      if (held.length > 0 && !req.force) {
        throw new OutDirError(flag, dir, `already holds results (${held.join(', ')}); use --force to overwrite or choose another folder`);
      }
      checkWritable(flag, dir);
      // --force: the old results go now, so a run that dies early leaves none that look current.
      // Only beside earlier results (a folder without them is the user's: nothing of it is ours to remove).
      const artifacts = req.force && held.length > 0 && req.artifacts ? oldArtifacts(dir, req.artifacts) : [];
      for (const m of [...held, ...artifacts]) {
        try {
          rmSync(join(dir, m), { force: true });
        } catch (e) {
          throw new OutDirError(flag, dir, `cannot remove the old ${m} (${errText(e)})`);
        }
      }
    } else {
      makeDirs(dir, flag);
      checkWritable(flag, dir);
    }
  }
  removeStaleTmpFiles(dir);
  return dir;
}

/** `<base>/<name>-<yyyymmdd-hhmmss>` (UTC), or with `-2`, `-3`… if taken; created with a non-recursive mkdir so two runs never share one. */
function claimNewFolder(base: string, name: string, now: Date, flag: string): string {
  checkNotKernel(flag, base);
  makeDirs(base, flag);
  const stem = `${safeName(name)}-${timestamp(now)}`;
  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const dir = join(base, n === 1 ? stem : `${stem}-${n}`);
    try {
      mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new OutDirError(flag, dir, `cannot create the folder (${errText(e)})`);
    }
  }
  throw new OutDirError(flag, join(base, stem), `${MAX_SUFFIX} folders of that name exist already; use --out`);
}

function safeName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+/, '').slice(0, 80);
  return s === '' ? 'run' : s;
}

function timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** Refuses kernel filesystems, also when reached through a symlink (checked on the nearest existing ancestor). */
function checkNotKernel(flag: string, dir: string): void {
  const abs = resolve(dir);
  let real = abs;
  try {
    const existing = nearestExisting(abs);
    real = join(realpathSync(existing), abs.slice(existing.length));
  } catch {
    // No existing ancestor resolvable: the absolute path is all we can judge.
  }
  for (const p of [abs, real]) {
    const root = FORBIDDEN_ROOTS.find((r) => p === r || p.startsWith(r + sep));
    if (root) throw new OutDirError(flag, dir, `refusing to write under ${root} (a kernel filesystem); choose another folder`);
  }
}

function nearestExisting(abs: string): string {
  let p = abs;
  for (let i = 0; i < MAX_DEPTH && !existsSync(p); i++) {
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  return p;
}

/**
 * mkdir -p without Node's recursive mkdir (which loops forever on some
 * filesystems): create each missing component in turn, depth-bounded.
 */
export function makeDirs(dir: string, flag = '--out'): void {
  const missing: string[] = [];
  let p = resolve(dir);
  for (let i = 0; !existsSync(p); i++) {
    if (i >= MAX_DEPTH) throw new OutDirError(flag, dir, `path is deeper than ${MAX_DEPTH} folders`);
    missing.push(p);
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  if (existsSync(p) && !statSync(p).isDirectory()) throw new OutDirError(flag, dir, `${p} is a file, not a folder`);
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(m).isDirectory()) continue;
      throw new OutDirError(flag, dir, `cannot create ${m} (${errText(e)})`);
    }
  }
}

/** A real write, since access(W_OK) says yes to root on a read-only filesystem. */
function checkWritable(flag: string, dir: string): void {
  const probe = join(dir, `.peermap-probe.${process.pid}.tmp`);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    writeFileSync(probe, '');
  } catch (e) {
    throw new OutDirError(flag, dir, `is not writable (${errText(e)})`);
  } finally {
    rmSync(probe, { force: true });
  }
}

/** Removes `.<name>.<pid>.tmp` files whose process is gone (left by a killed run); returns how many. */
export function removeStaleTmpFiles(dir: string): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir).slice(0, MAX_SCAN);
  } catch {
    return 0;
  }
  for (const name of names) {
    const m = /^\..+\.(\d+)\.tmp$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    try {
      rmSync(join(dir, name), { force: true });
      removed++;
    } catch {
      // Not ours to fight over: a file we cannot remove stays.
    }
  }
  return removed;
}

function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ?? err.message ?? String(e);
}
