// The one rule on which text the service accepts, for every entry point (JSON bodies, NATS messages, OAuth
// form fields). Two kinds of text are refused:
// - U+0000: PostgreSQL text cannot hold it, so it would fail in the database as a 500;
// - lone UTF-16 surrogates (`"\ud800"` is valid JSON text but not Unicode): validators (isEmail's URI
//   decoding), IDNA, normalisation and the database all fail on them in their own ways.
// Keys are checked as well as values, at any depth (iteratively: a body can nest deeper than the stack).
import type { FieldProblem } from '../domain/errors';

// ES2024 String methods (Node ≥ 20); the project's TypeScript lib predates them.
type Es2024String = { isWellFormed(): boolean; toWellFormed(): string };
const wellFormed = (s: string) => (s as unknown as Es2024String).isWellFormed();
/** For naming a bad key in the error: lone surrogates become U+FFFD so the response itself is valid JSON text. */
const printable = (s: string) => (s as unknown as Es2024String).toWellFormed();

/** Why `s` cannot be stored ("must not contain NUL characters", ...), or null when it can. */
export function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain NUL characters';
  if (!wellFormed(s)) return 'must be valid Unicode text (no lone surrogates)';
  return null;
}

/** The first string (value or key) in a parsed JSON value that is not storable text, or null. */
export function findUnreadableText(value: unknown): FieldProblem | null {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const message = textProblem(v);
      if (message) return { field: path || 'body', message };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    const entries: [string, unknown][] = Object.entries(v as Record<string, unknown>);
    // Reversed so the first field in document order is the one reported.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i];
      const childPath = path ? `${path}.${key}` : key;
      const keyProblem = textProblem(key);
      if (keyProblem) return { field: printable(childPath), message: keyProblem };
      stack.push([child, childPath]);
    }
  }
  return null;
}
