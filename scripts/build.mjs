// `npm run build` (issue 30): the server compiled to JavaScript under dist/, one .js (+ source map) per .ts
// file in the same layout, so every path a module finds relative to itself (import.meta.url: the docs page's
// files, the bcrypt and signing workers, docs/openapi.yaml) resolves as it does in the source tree. esbuild
// strips the types; relative imports, written without extensions for the bundler resolution tsc checks, get
// their `.js` (or `/index.js`) here, since Node's ESM loader resolves only full paths. Packages stay imports of
// node_modules. `npm run start:prod` runs dist/backend/src/main.js from the repository root (migrations, the
// web app's build and package.json are read from the working directory). Type checking is `npm run typecheck`.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const out = join(root, 'dist');
const src = join(root, 'backend', 'src');

function walk(dir, pick) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path, pick) : pick(path) ? [path] : [];
  });
}

/** `./x` → `./x.js`, `./dir` → `./dir/index.js`, for the file that `importer` means. */
const relativeJs = {
  name: 'relative-js',
  setup(b) {
    b.onResolve({ filter: /^\.\.?(\/|$)/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const target = resolve(args.resolveDir, args.path);
      if (/\.(c|m)?js$|\.json$/.test(args.path)) return { path: args.path, external: true };
      if (existsSync(`${target}.ts`)) return { path: `${args.path}.js`, external: true };
      if (existsSync(join(target, 'index.ts'))) return { path: `${args.path}/index.js`, external: true };
      return { errors: [{ text: `cannot resolve ${args.path} from ${relative(root, args.importer)}` }] };
    });
  },
};

rmSync(out, { recursive: true, force: true });
const entryPoints = walk(src, (p) => p.endsWith('.ts') && !p.endsWith('.d.ts'));
await build({
  entryPoints,
  outdir: join(out, 'backend', 'src'),
  outbase: src,
  bundle: true,
  packages: 'external',
  plugins: [relativeJs],
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});

// What the modules read next to themselves: the workers (CommonJS, run as they are) and the docs page.
for (const file of walk(src, (p) => /\.(cjs|html|css|js)$/.test(p))) {
  const to = join(out, 'backend', 'src', relative(src, file));
  mkdirSync(dirname(to), { recursive: true });
  cpSync(file, to);
}
// openapi-document.ts reads ../../../../docs/openapi.yaml from its own folder: dist/docs/openapi.yaml.
mkdirSync(join(out, 'docs'), { recursive: true });
cpSync(join(root, 'docs', 'openapi.yaml'), join(out, 'docs', 'openapi.yaml'));
console.log(`built ${entryPoints.length} modules into ${relative(root, out)}/`);
