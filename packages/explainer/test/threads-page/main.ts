// The test page for threads in a browser: the library, as a bundler builds it for a page, put
// where the end-to-end test can drive it.
import * as pooling from 'tensor-pooling';

(globalThis as Record<string, unknown>).pooling = pooling;
