/**
 * Writing results so that nothing is lost: every output goes to a temporary file beside it and is
 * renamed into place (a rename within a folder is atomic), so an interrupted run leaves either the
 * old file or the new one, never half of one. Existing outputs are kept unless --force; the input
 * is never overwritten, even with --force.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError } from './errors.js';

/** Temporary files are named so that a process can find (and remove) its own: .<name>.tensor-pooling-<pid>-<random>.tmp */
const TEMP_MARK = '.tensor-pooling-';

export function sameFile(a: string, b: string): boolean {
  const real = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  return real(a) === real(b);
}

/** Refuses to write onto the input, or onto an existing file without --force. */
export function checkOutputPath(input: string | undefined, output: string, force: boolean): void {
  if (input !== undefined && sameFile(input, output)) {
    throw new CliError(`${output}: is the input file; refusing to overwrite the input (choose another output)`);
  }
  if (!force && existsSync(output)) {
    throw new CliError(`${output}: already exists; use --force to overwrite it`);
  }
}

export function isTempFile(name: string): boolean {
  return name.startsWith('.') && name.includes(TEMP_MARK) && name.endsWith('.tmp');
}

/** Writes `bytes` to `path` through a temporary file and a rename. */
export async function writeAtomically(path: string, bytes: Uint8Array | string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}${TEMP_MARK}${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, bytes, { flag: 'wx' });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'no space left on the device' : (error as Error).message;
    throw new CliError(`${path}: cannot write the output (${reason})`);
  }
}

/**
 * Removes this process's temporary files from `folder` (after Ctrl-C, when a worker may have been
 * stopped between writing and renaming). Synchronous: it runs in a signal handler before exit.
 */
export function removeOwnTempFiles(folder: string): void {
  const own = `${TEMP_MARK}${process.pid}-`;
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    if (isTempFile(name) && name.includes(own)) rmSync(join(folder, name), { force: true });
  }
}
