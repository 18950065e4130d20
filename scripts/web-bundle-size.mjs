// The account web app's JavaScript, gzipped, against its 80 kB budget. Run after `vite build` (build:web):
// prints the figure and fails over budget. `--write` records it in docs/benchmarks.md, in a section that
// `npm run bench` keeps when it regenerates the page.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 80 * 1024;
const root = new URL('..', import.meta.url).pathname;
const assets = join(root, 'backend', 'web', 'dist', 'assets');
if (!existsSync(assets)) {
  console.error('backend/web/dist is missing: run npm run build:web first');
  process.exit(1);
}
const files = readdirSync(assets).filter((f) => f.endsWith('.js') || f.endsWith('.css'));
const sizes = files.map((f) => {
  const raw = readFileSync(join(assets, f));
  return { file: f, raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
});
const js = sizes.filter((s) => s.file.endsWith('.js')).reduce((a, s) => ({ raw: a.raw + s.raw, gzip: a.gzip + s.gzip }), { raw: 0, gzip: 0 });
const css = sizes.filter((s) => s.file.endsWith('.css')).reduce((a, s) => ({ raw: a.raw + s.raw, gzip: a.gzip + s.gzip }), { raw: 0, gzip: 0 });
const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
console.log(`web app: JavaScript ${kb(js.gzip)} gzipped (${kb(js.raw)} raw), CSS ${kb(css.gzip)} gzipped; budget ${kb(BUDGET)} of gzipped JavaScript`);
if (js.gzip > BUDGET) {
  console.error(`web app JavaScript is over budget: ${kb(js.gzip)} > ${kb(BUDGET)}`);
  process.exit(1);
}

if (process.argv.includes('--write')) {
  const page = join(root, 'docs', 'benchmarks.md');
  const section = [
    '<!-- kept:web-bundle -->',
    '## Account web app bundle',
    '',
    `Measured by \`scripts/web-bundle-size.mjs\` on the production build (\`npm run build:web\`, Vite 8, Preact), gzip level 9, ${new Date().toISOString().slice(0, 10)}.`,
    'Budget: 80 kB of gzipped JavaScript for the whole app (the build fails above it).',
    '',
    '| asset | raw | gzipped |',
    '|---|---|---|',
    ...sizes.map((s) => `| \`${s.file.replace(/-[\w-]{8}\./, '.')}\` | ${kb(s.raw)} | ${kb(s.gzip)} |`),
    `| **all JavaScript** | ${kb(js.raw)} | **${kb(js.gzip)}** |`,
    '<!-- /kept:web-bundle -->',
    '',
  ].join('\n');
  const text = existsSync(page) ? readFileSync(page, 'utf8') : '# Benchmarks\n';
  const own = /<!-- kept:web-bundle -->[\s\S]*?<!-- \/kept:web-bundle -->\n?/;
  writeFileSync(page, own.test(text) ? text.replace(own, section) : `${text.replace(/\n*$/, '\n\n')}${section}`);
  console.log('wrote the web-bundle section of docs/benchmarks.md');
}
