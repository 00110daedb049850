/**
 * How the command line fails: a message naming the file and what is wrong with it, and an exit
 * code (2 bad usage or bad input, 1 some files of a batch failed). Stack traces only with --verbose.
 */
import { PoolingError } from '../src/index.js';

export const EXIT_OK = 0;
export const EXIT_SOME_FAILED = 1;
export const EXIT_USAGE = 2;

export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT_USAGE) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/**
 * Says in words what an image decoder's message means. libvips words its errors per loader
 * ("pngload: libspng read error", "VipsJpeg: Premature end of JPEG file"); people want to know
 * whether the file is not an image at all or a damaged one.
 */
export function describeDecodeError(file: string, format: string | undefined, error: unknown): CliError {
  const message = error instanceof Error ? error.message : String(error);
  const kind = format ? format.toUpperCase() : 'image';
  if (/unsupported image format|bad seek|not a known file format/i.test(message)) {
    return new CliError(`${file}: not an image (no supported image format recognised)`);
  }
  if (/premature end|truncat|end of (stream|file|data)|read error|unexpected end|EOF|not enough data|out of data|short read/i.test(message)) {
    return new CliError(`${file}: truncated or corrupt ${kind} (${firstLine(message)})`);
  }
  return new CliError(`${file}: cannot decode ${kind}: ${firstLine(message)}`);
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? text;
}

/** The message and exit code a failure shows; `file` prefixes library errors raised for that file. */
export function describeFailure(error: unknown, file?: string): { message: string; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof PoolingError) {
    return { message: `${file ? `${file}: ` : ''}${error.message} [${error.code}]`, exitCode: EXIT_USAGE };
  }
  const errno = error as NodeJS.ErrnoException;
  if (errno && typeof errno.code === 'string' && typeof errno.message === 'string') {
    const path = errno.path ?? file;
    const reason =
      errno.code === 'ENOENT'
        ? 'no such file or folder'
        : errno.code === 'EACCES' || errno.code === 'EPERM'
          ? 'permission denied'
          : errno.code === 'ENOSPC'
            ? 'no space left on the device'
            : errno.code === 'EISDIR'
              ? 'is a folder, not a file'
              : errno.message;
    return { message: `${path ? `${path}: ` : ''}${reason}`, exitCode: EXIT_USAGE };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message: `${file ? `${file}: ` : ''}${message}`, exitCode: EXIT_USAGE };
}
