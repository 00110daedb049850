/**
 * How the command line fails: a message naming the file and what is wrong with it, and an exit
 * code (2 bad usage or bad input, 1 some files of a batch failed). Stack traces only with --verbose.
 */
import { PoolingError } from 'tensor-pooling';

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
 * Characters a terminal acts on instead of showing: C0 and C1 controls (escape sequences, carriage
 * return, newline), DEL, the line separators, and the bidirectional overrides that display text
 * in another order than it is stored.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function hex(character: string, digits: number): string {
  return character.charCodeAt(0).toString(16).padStart(digits, '0');
}

/**
 * One line of a message made safe to print: a file name holding an escape sequence or a newline
 * must not rewrite the user's terminal or forge another line of output.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => (c <= '\u00ff' ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));
}

/** Text of several lines (a stack trace, commander's usage) made safe line by line. */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}

/** JSON for stdout: JSON.stringify escapes C0 controls but passes DEL, C1 controls and bidi overrides through. */
export function printableJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNPRINTABLE, (c) => `\\u${hex(c, 4)}`);
}

/**
 * Says in words what an image decoder's message means. libvips words its errors per loader
 * ("pngload: libspng read error", "VipsJpeg: Premature end of JPEG file") and sometimes has none
 * at all ("Unknown error"): the reason is then in the warnings the decoder emitted on the way
 * ("IHDR: CRC error"). People want to know whether the file is not an image at all or a damaged one.
 */
export function describeDecodeError(file: string, format: string | undefined, error: unknown, warnings: readonly string[] = []): CliError {
  const message = error instanceof Error ? error.message : String(error);
  const kind = format ? format.toUpperCase() : 'image';
  if (/unsupported image format|bad seek|not a known file format/i.test(message)) {
    return new CliError(`${file}: not an image (no supported image format recognised)`);
  }
  const detail = [...new Set([...warnings.map(firstLine), ...(/^unknown error$/i.test(message.trim()) ? [] : [firstLine(message)])])];
  const said = detail.length > 0 ? detail.join('; ') : 'the decoder gave no reason';
  if (/premature end|truncat|end of (stream|file|data)|read error|unexpected end|EOF|not enough data|out of data|short read|CRC|checksum|corrupt|invalid/i.test(said)) {
    return new CliError(`${file}: truncated or corrupt ${kind} (${said})`);
  }
  return new CliError(`${file}: cannot decode ${kind}: ${said}`);
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? text;
}

/** What a failed file-system call on `path` means, in words. */
export function describeErrno(code: string | undefined, fallback: string): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'ELOOP':
      return 'a loop of symbolic links (too many levels of symbolic links)';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'ENXIO':
      return 'not a regular file (a socket or a device with nothing behind it)';
    default:
      return fallback;
  }
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
    return { message: `${path ? `${path}: ` : ''}${describeErrno(errno.code, errno.message)}`, exitCode: EXIT_USAGE };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message: `${file ? `${file}: ` : ''}${message}`, exitCode: EXIT_USAGE };
}
