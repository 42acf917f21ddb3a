// Rollup leaves `new URL('./autologoff_bg.wasm', import.meta.url)` alone and does not emit the
// file: @web/rollup-plugin-import-meta-assets does. (@rollup/plugin-node-resolve is what any
// Rollup app needs to import a package from node_modules at all.)
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { importMetaAssets } from '@web/rollup-plugin-import-meta-assets';

export default {
  input: 'src/main.js',
  output: { dir: 'dist', format: 'es' },
  plugins: [nodeResolve(), importMetaAssets()],
};
