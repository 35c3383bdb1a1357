// Builds src/ into the Node-RED package layout under nodes/:
//   nodes/<type>.js    one CommonJS bundle per node (src/runtime/<type>.ts) or editor plugin (src/plugins/<name>.ts),
//                      dependencies external, not minified
//   nodes/<type>.html  the editor code (src/editor/<type>/index.ts as an IIFE) inlined before its template.html
//   nodes/locales/     message catalogues and help, copied from src/locales
//   nodes/icons/       icons, copied from src/icons
//   nodes/cli/         command-line tools (src/cli/*.ts), the package's bin entries
// Type checking is separate (npm run typecheck) so a build stays well under a second. `--release` (npm pack and
// publish, through prepack) leaves out the source maps: the package ships the readable, unminified bundles only.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'nodes');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const release = process.argv.includes('--release');
const external = [...Object.keys(pkg.dependencies ?? {}), 'node-red'];

const tsEntries = (dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
        .map((f) => f.slice(0, -3))
    : [];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const nodeTypes = tsEntries(join(root, 'src/runtime'));
const plugins = tsEntries(join(root, 'src/plugins'));
const runtimeEntries = [
  ...nodeTypes.map((name) => ({ name, source: join(root, 'src/runtime', `${name}.ts`) })),
  ...plugins.map((name) => ({ name, source: join(root, 'src/plugins', `${name}.ts`) })),
];
const cliTools = tsEntries(join(root, 'src/cli'));

await Promise.all([
  ...runtimeEntries.map(({ name, source }) =>
    build({
      entryPoints: [source],
      outfile: join(out, `${name}.js`),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: release ? false : 'linked',
      external,
      logLevel: 'warning',
    }),
  ),
  ...cliTools.map((tool) =>
    build({
      entryPoints: [join(root, 'src/cli', `${tool}.ts`)],
      outfile: join(out, 'cli', `${tool}.js`),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      banner: { js: '#!/usr/bin/env node' },
      external,
      logLevel: 'warning',
    }),
  ),
  // The Redis context store module, required from settings.js as @twinflow/node-red-digital-twin/context-redis.
  build({
    entryPoints: [join(root, 'src/context/redis.ts')],
    outfile: join(out, 'context-redis.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external,
    logLevel: 'warning',
  }),
  ...runtimeEntries.map(async ({ name: type }) => {
    const editorDir = join(root, 'src/editor', type);
    const result = await build({
      entryPoints: [join(editorDir, 'index.ts')],
      bundle: true,
      format: 'iife',
      target: 'es2021',
      write: false,
      logLevel: 'warning',
    });
    const template = readFileSync(join(editorDir, 'template.html'), 'utf8');
    const script = result.outputFiles[0].text;
    writeFileSync(
      join(out, `${type}.html`),
      `<script type="text/javascript">\n${script}</script>\n\n${template}`,
    );
  }),
]);

cpSync(join(root, 'src/locales'), join(out, 'locales'), { recursive: true });
if (existsSync(join(root, 'src/icons')))
  cpSync(join(root, 'src/icons'), join(out, 'icons'), { recursive: true });
if (!process.env.TWINFLOW_QUIET_BUILD)
  console.log(
    `built ${nodeTypes.length} node types, ${plugins.length} plugins, ${cliTools.length} CLI tools into nodes/`,
  );
