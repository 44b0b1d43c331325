// Bundle each anywidget view js/widgets/<name>.ts into python/mlnb/static/<name>.js (ESM).
//   node js/build-widgets.mjs            production (minified)
//   node js/build-widgets.mjs --dev      with inline source maps
//   node js/build-widgets.mjs --watch    rebuild on change (pairs with ANYWIDGET_HMR=1)
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dev = process.argv.includes('--dev');
const watch = process.argv.includes('--watch');
const srcDir = join(root, 'js', 'widgets');
const entryPoints = readdirSync(srcDir)
  .filter(f => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts') && !f.startsWith('_'))
  .map(f => join(srcDir, f));
if (!entryPoints.length) {
  console.error(`no widget entry points in ${srcDir}`);
  process.exit(1);
}

const options = {
  entryPoints,
  outdir: join(root, 'python', 'mlnb', 'static'),
  bundle: true,
  format: 'esm',
  target: 'es2020',
  minify: !dev,
  sourcemap: dev ? 'inline' : false,
  logLevel: 'info'
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
