/**
 * Reading an input file without trusting it: only a regular file is read (a FIFO would block the
 * read forever, /dev/zero never ends), and never more than a limit of bytes (--max-input-bytes).
 * The checks are made on the opened file, so a symbolic link is judged by what it points to, and
 * a file swapped or grown after the check is still bounded.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, readlink } from 'node:fs/promises';
import { CliError, describeErrno } from './errors.js';

/** 2 GiB: a 16383 x 16383 RGBA image as uncompressed 16-bit TIFF, or 268 million float64 values in a .npy. */
export const DEFAULT_MAX_INPUT_BYTES = 2 ** 31;

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** `size` is undefined when the file grew past the limit while it was read: its size is then unknown. */
function tooLarge(file: string, limit: number, size?: number): CliError {
  return new CliError(
    `${file}: ${size ?? `more than ${limit}`} bytes, over the input size limit of ${limit} bytes; ` +
      `raise it with --max-input-bytes${size === undefined ? '' : ` ${size}`} if you trust the file`,
  );
}

/** Says why `file` cannot be opened, telling a dangling symbolic link from a missing file. */
async function openFailure(file: string, error: NodeJS.ErrnoException): Promise<CliError> {
  if (error.code === 'ENOENT') {
    const link = await lstat(file).catch(() => undefined);
    if (link?.isSymbolicLink()) {
      const target = await readlink(file).catch(() => '?');
      return new CliError(`${file}: a symbolic link to ${JSON.stringify(target)}, which does not exist`);
    }
  }
  return new CliError(`${file}: ${describeErrno(error.code, error.message)}`);
}

/** The bytes of `file`, a regular file of at most `maxBytes` bytes. */
export async function readInputFile(file: string, maxBytes: number): Promise<Buffer> {
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer before any check.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw await openFailure(file, error as NodeJS.ErrnoException);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new CliError(`${file}: ${kindOf(info)}; only regular files are read`);
    if (info.size > maxBytes) throw tooLarge(file, maxBytes, info.size);
    // One byte more than the size said: a file that grew since (or a /proc file that says 0) is noticed.
    let buffer = Buffer.allocUnsafe(info.size + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) throw tooLarge(file, maxBytes);
        const grown = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(64 * 1024, length * 2)));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) throw tooLarge(file, maxBytes);
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const errno = error as NodeJS.ErrnoException;
    throw new CliError(`${file}: cannot read it (${describeErrno(errno.code, errno.message)})`);
  } finally {
    await handle.close();
  }
}
