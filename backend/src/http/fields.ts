// Typed express-validator rules: a request part (body, query, path) is declared as a map of field name →
// Field, each Field knowing the chain that checks it and the type the value has once it passed. The HTTP
// endpoint (endpoint.ts) and the NATS handlers (checkMessage) run the same chains, and the handler's input
// type is derived from the map (InputOf), so what a handler reads is what was checked.
import { body, param, query, type ValidationChain } from 'express-validator';

export type Location = 'body' | 'query' | 'params';

export interface Field<T> {
  /** The chain checking `name` in `where` (express-validator is the rule language: the user's stack). */
  chain(name: string, where: Location): ValidationChain;
  /** Phantom: the value's type after the chain passed. Never set. */
  readonly type?: T;
}

export type Shape = Record<string, Field<unknown>>;
export type InputOf<S extends Shape | undefined> = S extends Shape ? { [K in keyof S]: S[K] extends Field<infer T> ? T : never } : Record<string, never>;

const at = (where: Location) => (where === 'body' ? body : where === 'query' ? query : param);

/** The rule for a field no helper below covers: write the chain, name the type it guarantees. */
export function field<T>(build: (chain: ValidationChain, name: string) => ValidationChain): Field<T> {
  return { chain: (name, where) => build(at(where)(name), name) };
}

/** A required string of `min`–`max` characters (`{"password": 123}` is a 400, not a coerced "123"). */
export function text(max: number, opts: { min?: number; trim?: boolean } = {}): Field<string> {
  const min = opts.min ?? 1;
  return field<string>((c, name) => {
    const typed = c.exists({ values: 'null' }).withMessage(`${name} is required`).bail()
      .isString().withMessage(`${name} must be a string`).bail();
    const trimmed = opts.trim ? typed.trim() : typed;
    return min > 0
      ? trimmed.isLength({ min, max }).withMessage(`${name} must be ${min}–${max} characters`)
      : trimmed.isLength({ max }).withMessage(`${name} is too long`);
  });
}

/** An optional string (absent or null passes): at most `max` characters. */
export function optionalText(max: number): Field<string | null | undefined> {
  return field((c, name) => c.optional({ values: 'null' })
    .isString().withMessage(`${name} must be a string`).bail()
    .isLength({ max }).withMessage(`${name} must be at most ${max} characters`));
}

/** A required email address, trimmed, at most 254 characters; the domain normalises it further. */
export function email(): Field<string> {
  return field((c, name) => c.exists({ values: 'null' }).withMessage(`${name} is required`).bail()
    .isString().withMessage(`${name} must be a string`).bail()
    .trim()
    .isLength({ max: 254 }).withMessage(`${name} is too long`).bail()
    .isEmail().withMessage(`${name} must be a valid email address`));
}

/** A UUID (path ids: the route answers 404 for one that cannot exist, see EndpointSpec.invalidParams). */
export function uuid(): Field<string> {
  return field((c, name) => c.isUUID().withMessage(`${name} must be a UUID`));
}

/** The chains of every field of a shape, in declaration order. */
export function chainsOf(shape: Shape | undefined, where: Location): ValidationChain[] {
  return shape ? Object.entries(shape).map(([name, f]) => f.chain(name, where)) : [];
}

/** A path segment taken as it is (the service decides whether it names anything). */
export function pathSegment(): Field<string> {
  return field((c) => c.isString());
}
