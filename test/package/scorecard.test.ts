import assert from 'node:assert/strict';
import { editorDefinition } from '../helpers/editor-definition';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as acorn from 'acorn';
import semver from 'semver';

/**
 * The offline part of the Node-RED Flow Library scorecard (node-red-dev validate), re-implemented because the real
 * tool stops at its first request to catalogue.nodered.org (P08) on machines without internet. Checks follow
 * node-red-dev 0.1.6's src/libs/check*.js, including its HTML parse of registerType definitions.
 */
const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  license?: string;
  repository?: unknown;
  bugs?: unknown;
  keywords?: string[];
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  files?: string[];
  'node-red': { version: string; nodes: Record<string, string>; plugins?: Record<string, string> };
};

interface NodeDefinition {
  type: string;
  category?: string;
  color?: string;
  inputs?: number;
  outputs?: number;
  icon?: string;
}

/** node-red-dev's getNodeDefinitions: <script type="text/javascript"> blocks parsed with acorn, literal fields only. */
function nodeDefinitions(html: string): NodeDefinition[] {
  const scripts = [
    ...html.matchAll(/<script[^>]*type=["']text\/javascript["'][^>]*>([\s\S]*?)<\/script>/gi),
  ].map((m) => m[1]);
  assert.ok(scripts.length > 0, 'No <script> sections found');
  const defs: NodeDefinition[] = [];
  for (const script of scripts) {
    const ast = acorn.parse(script, { ecmaVersion: 'latest' });
    const visit = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      const n = node as {
        type?: string;
        callee?: { type: string; property?: { name: string } };
        arguments?: unknown[];
      };
      if (
        n.type === 'CallExpression' &&
        n.callee?.type === 'MemberExpression' &&
        n.callee.property?.name === 'registerType'
      ) {
        const [typeArg, defArg] = n.arguments as { type: string; value?: unknown; properties?: unknown[] }[];
        assert.equal(typeArg.type, 'Literal', 'registerType needs a literal type name');
        assert.equal(
          defArg?.type,
          'ObjectExpression',
          `registerType('${String(typeArg.value)}') needs a literal object`,
        );
        const def: NodeDefinition = { type: String(typeArg.value) };
        for (const prop of defArg.properties as {
          key: { name?: string; value?: string };
          value: { type: string; value: unknown };
        }[]) {
          const key = prop.key.name ?? prop.key.value;
          if (
            prop.value.type === 'Literal' &&
            key &&
            ['category', 'color', 'inputs', 'outputs', 'icon'].includes(key)
          ) {
            (def as unknown as Record<string, unknown>)[key] = prop.value.value;
          }
        }
        defs.push(def);
      }
      for (const value of Object.values(node)) {
        if (Array.isArray(value)) value.forEach(visit);
        else if (value && typeof value === 'object') visit(value);
      }
    };
    visit(ast);
  }
  return defs;
}

function exampleTypes(dir: string): Set<string> {
  const types = new Set<string>();
  if (!existsSync(dir)) return types;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) exampleTypes(path).forEach((t) => types.add(t));
    else if (name.endsWith('.json')) {
      for (const node of JSON.parse(readFileSync(path, 'utf8')) as { type: string }[]) types.add(node.type);
    }
  }
  return types;
}

describe('package: Flow Library scorecard (offline checks) and layout', () => {
  const nodeRedVersion = (
    JSON.parse(readFileSync(require.resolve('node-red/package.json'), 'utf8')) as { version: string }
  ).version;
  const definitions = Object.values(pkg['node-red'].nodes).flatMap((file) =>
    nodeDefinitions(readFileSync(join(ROOT, file.replace(/\.js$/, '.html')), 'utf8')),
  );

  it('P01 has a licence', () => assert.match(pkg.license ?? '', /^[A-Za-z0-9.-]+$/));
  it('P03 has a repository or bugs link', () => assert.ok(pkg.repository || pkg.bugs));
  it('P04 uses a scoped name', () => assert.match(pkg.name, /^@[a-z0-9-]+\/[a-z0-9-]+$/));
  it('P05 has the node-red keyword (and the product ones)', () => {
    for (const k of [
      'node-red',
      'digital-twin',
      'opc-ua',
      'anomaly-detection',
      'simulation',
      'mqtt',
      'uns',
    ]) {
      assert.ok(pkg.keywords?.includes(k), k);
    }
  });
  it('P06 node-red.version accepts the installed Node-RED and 5.x', () => {
    assert.ok(semver.satisfies(nodeRedVersion, pkg['node-red'].version), nodeRedVersion);
    assert.ok(semver.satisfies('5.0.7', pkg['node-red'].version));
  });
  it('P07 engines.node accepts Node 20 and the Node-RED 5 minimum (22.9.0)', () => {
    const range = pkg.engines?.node ?? '';
    for (const v of ['20.0.0', '22.9.0', '22.23.3'])
      assert.ok(semver.satisfies(v, range), `${v} in ${range}`);
  });
  it('D01 has at most 6 runtime dependencies', () =>
    assert.ok(Object.keys(pkg.dependencies ?? {}).length <= 6));
  it('publishes nodes/ and examples/ only', () => assert.deepEqual(pkg.files, ['nodes/', 'examples/']));
  it('ships no eval and no new Function in what it publishes (runtime bundles and editor code)', () => {
    const built = readdirSync(join(ROOT, 'nodes'), { recursive: true, encoding: 'utf8' }).filter((f) =>
      /\.(js|html)$/.test(f),
    );
    assert.ok(built.length > 10, 'the build is there');
    for (const file of built) {
      const text = readFileSync(join(ROOT, 'nodes', file), 'utf8');
      assert.doesNotMatch(text, /\beval\s*\(|\bnew\s+Function\s*\(/, `${file} runs text as code`);
    }
  });

  it('every runtime entry in src/runtime is a node set in package.json, built beside its HTML', () => {
    const entries = readdirSync(join(ROOT, 'src', 'runtime'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.slice(0, -3));
    assert.deepEqual(Object.keys(pkg['node-red'].nodes).sort(), entries.sort());
    for (const [type, file] of Object.entries(pkg['node-red'].nodes)) {
      assert.equal(file, `nodes/${type}.js`);
      assert.ok(existsSync(join(ROOT, file)), `${file} is built`);
      assert.ok(existsSync(join(ROOT, file.replace(/\.js$/, '.html'))), `${type}.html is built`);
    }
  });

  it('every editor plugin in src/plugins is declared and built beside its HTML', () => {
    const entries = readdirSync(join(ROOT, 'src', 'plugins'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.slice(0, -3));
    assert.deepEqual(Object.keys(pkg['node-red'].plugins ?? {}).sort(), entries.sort());
    for (const file of Object.values(pkg['node-red'].plugins ?? {})) {
      assert.ok(existsSync(join(ROOT, file)), `${file} is built`);
      assert.match(readFileSync(join(ROOT, file.replace(/\.js$/, '.html')), 'utf8'), /registerPlugin\(/);
    }
  });

  it('each nodes/*.html parses with a literal registerType definition, in one palette category', () => {
    assert.deepEqual(definitions.map((d) => d.type).sort(), Object.keys(pkg['node-red'].nodes).sort());
    for (const def of definitions) {
      assert.match(def.type, /^twin-/, 'type names are prefixed twin-');
      assert.ok(def.category, `${def.type} has a literal category`);
      if (def.category === 'config') continue;
      assert.equal(def.category, 'digital twin', def.type);
      assert.match(def.color ?? '', /^#[0-9A-Fa-f]{6}$/, `${def.type} has a literal colour`);
      assert.equal(typeof def.inputs, 'number', `${def.type} inputs`);
      assert.equal(typeof def.outputs, 'number', `${def.type} outputs`);
      assert.ok(def.icon, `${def.type} icon`);
    }
  });

  it('N01 node types are unique and N02 every non-config type appears in an example', () => {
    const types = definitions.map((d) => d.type);
    assert.equal(new Set(types).size, types.length);
    const used = exampleTypes(join(ROOT, 'examples'));
    for (const def of definitions)
      if (def.category !== 'config') assert.ok(used.has(def.type), `${def.type} has no example`);
  });

  it('every node has help with Inputs/Outputs/Details/References (config nodes: Details) and a message catalogue', () => {
    for (const def of definitions) {
      const help = readFileSync(join(ROOT, 'nodes', 'locales', 'en-US', `${def.type}.html`), 'utf8');
      assert.match(help, new RegExp(`data-help-name="${def.type}"`));
      const sections =
        def.category === 'config' ? ['Details'] : ['Inputs', 'Outputs', 'Details', 'References'];
      for (const s of sections)
        assert.match(help, new RegExp(`^### ${s}$`, 'm'), `${def.type} help lacks ${s}`);
      const catalogue = JSON.parse(
        readFileSync(join(ROOT, 'nodes', 'locales', 'en-US', `${def.type}.json`), 'utf8'),
      ) as Record<string, unknown>;
      assert.ok(catalogue[def.type], `${def.type}.json has a top-level "${def.type}" key`);
    }
  });

  it('every editor definition has a hidden version default, so saved flows can be migrated', () => {
    for (const type of Object.keys(pkg['node-red'].nodes)) {
      const version = editorDefinition(type).defaults.version?.value;
      assert.ok(Number.isInteger(version) && Number(version) >= 1, `${type} has defaults.version`);
    }
  });
});
