// Build the JupyterLab extension (lib/ -> python/mlnb/labextension) with @jupyter/builder.
//   node js/build-lab.mjs            production
//   node js/build-lab.mjs --dev      development (source maps)
//   node js/build-lab.mjs --watch    rebuild on change
// This is what `jupyter-builder build .` runs, called directly so that `npm run build:prod`
// needs only Node (no Python environment on PATH).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const builder = require.resolve('@jupyter/builder/lib/build-labextension.js');
// The versions of JupyterLab's shared packages the extension is built against.
const corePackage = createRequire(builder).resolve('@jupyterlab/core-meta/core.package.json');

const args = [builder, '--core-package-file', corePackage];
if (process.argv.includes('--dev')) {
  args.push('--development', '--source-map');
}
if (process.argv.includes('--watch')) {
  args.push('--watch');
}
args.push(root);
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
