// Bundle each anywidget view js/widgets/<name>/index.ts (and the style.css it imports) into
// python/mlnb/static/<name>.js and <name>.css (ESM). Folders starting with "_" (the kit) are not views.
//   node js/build-widgets.mjs            production (minified)
//   node js/build-widgets.mjs --dev      with inline source maps
//   node js/build-widgets.mjs --watch    rebuild on change (pairs with ANYWIDGET_HMR=1)
import * as esbuild from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dev = process.argv.includes('--dev');
const watch = process.argv.includes('--watch');
const srcDir = join(root, 'js', 'widgets');
const entryPoints = Object.fromEntries(
  readdirSync(srcDir, { withFileTypes: true })
    .filter(d => d.isDirectory() && !d.name.startsWith('_') && existsSync(join(srcDir, d.name, 'index.ts')))
    .map(d => [d.name, join(srcDir, d.name, 'index.ts')])
);
if (!Object.keys(entryPoints).length) {
  console.error(`no widget entry points (js/widgets/<name>/index.ts) in ${srcDir}`);
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
  // No network at run time: fonts or images referenced from CSS are inlined.
  loader: { '.woff2': 'dataurl', '.woff': 'dataurl', '.svg': 'dataurl', '.png': 'dataurl' },
  logLevel: 'info'
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
