// What the library puts into a user's bundle, minified by esbuild and gzipped (`npx size-limit` in
// this folder, after `npm run build`; the test suite runs it too: test/size.test.ts). The library is
// this workspace's tensor-pooling, found through its package exports; esbuild bundles it for a
// browser (package imports' default conditions). Lazily loaded code is measured by leaving some
// import() calls out of the bundle: all of them (what loads when the page starts), then those that
// only threads load.
import { fileURLToPath } from 'node:url';

const resolve = (specifier) => fileURLToPath(import.meta.resolve(specifier));
const library = resolve('tensor-pooling');

/** import() calls the bundle leaves to load later: `lazy(specifier)` says which. */
function leaveOut(lazy) {
  return {
    name: 'leave-lazy-imports-out',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => (args.kind === 'dynamic-import' && lazy(args.path) ? { path: args.path, external: true } : undefined));
    },
  };
}

/** The specifiers that only threads load: the threads code and the platform's worker host. */
const threadsOnly = (specifier) => specifier === './threaded.js' || specifier === '#worker-host';

const bundle =
  (...plugins) =>
  (config) => ({ ...config, format: 'esm', platform: 'browser', plugins });

export default [
  {
    name: 'import { avgPool, tensor }: JS loaded at start',
    import: { [library]: '{ avgPool, tensor }' },
    modifyEsbuildConfig: bundle(leaveOut(() => true)),
    gzip: true,
    limit: '15 kB',
  },
  {
    name: 'import { avgPool, tensor, init }: JS loaded at start and by init()',
    import: { [library]: '{ avgPool, tensor, init }' },
    modifyEsbuildConfig: bundle(leaveOut(threadsOnly)),
    gzip: true,
  },
  {
    name: 'import { avgPool, tensor, init, startWorkers }: all JS, threads included',
    import: { [library]: '{ avgPool, tensor, init, startWorkers }' },
    modifyEsbuildConfig: bundle(),
    gzip: true,
  },
  {
    name: 'tensor-pooling-kernels.wasm (init() on any page)',
    path: resolve('tensor-pooling/tensor-pooling-kernels.wasm'),
    disablePlugins: ['@size-limit/esbuild'],
    gzip: true,
  },
  {
    name: 'tensor-pooling-kernels-shared.wasm (init() on a cross-origin isolated page, and its workers)',
    path: resolve('tensor-pooling/tensor-pooling-kernels-shared.wasm'),
    disablePlugins: ['@size-limit/esbuild'],
    gzip: true,
  },
  {
    name: 'tensor-pooling-worker.js, minified as an app bundles it (threads on a cross-origin isolated page)',
    path: resolve('tensor-pooling/tensor-pooling-worker.js'),
    modifyEsbuildConfig: bundle(),
    gzip: true,
  },
];
