// Hand-made sections of a generated page survive regeneration: a block between `<!-- kept:NAME -->` and
// `<!-- /kept:NAME -->` in the old file (e.g. the web app's bundle size, written by
// scripts/web-bundle-size.mjs) is carried into the new text, replacing the same block there or appended.
const BLOCK = /<!-- kept:([\w-]+) -->[\s\S]*?<!-- \/kept:\1 -->\n?/g;

export function keepSections(previous: string | null, next: string): string {
  if (!previous) return next;
  let out = next;
  for (const match of previous.matchAll(BLOCK)) {
    const [block, name] = match;
    const own = new RegExp(`<!-- kept:${name} -->[\\s\\S]*?<!-- /kept:${name} -->\\n?`);
    out = own.test(out) ? out.replace(own, block) : `${out.replace(/\n*$/, '\n\n')}${block}`;
  }
  return out;
}
