// Turns express-validator failures into one VALIDATION_ERROR with per-field details, and the body-field
// rules every feature's `<feature>.validators.ts` shares.
import type { NextFunction, Request, Response } from 'express';
import { body, validationResult, type ValidationChain } from 'express-validator';
import { Errors, type DomainError } from '../domain/errors';

/** A required body string of 1–`max` characters. Types are checked: `{"password": 123}` is a 400. */
export const requiredString = (field: string, max: number): ValidationChain =>
  body(field)
    .exists({ values: 'null' }).withMessage(`${field} is required`).bail()
    .isString().withMessage(`${field} must be a string`).bail()
    .isLength({ min: 1, max }).withMessage(`${field} must be 1–${max} characters`);

/** A required body email address (trimmed, at most 254 characters); the domain normalises it further. */
export const requiredEmail = (field: string): ValidationChain =>
  body(field)
    .exists({ values: 'null' }).withMessage(`${field} is required`).bail()
    .isString().withMessage(`${field} must be a string`).bail()
    .trim()
    .isLength({ max: 254 }).withMessage(`${field} is too long`).bail()
    .isEmail().withMessage(`${field} must be a valid email address`);

/**
 * The error for a body that is there but not a JSON object, or null. A JSON array is valid JSON but never a
 * valid request here; without this a route whose fields are all optional (2FA enable) would read `[]` as
 * "no body" and answer 200. validate() applies it, and so does the hot refresh route (auth.validators.ts).
 */
export function notAnObjectBody(b: unknown): DomainError | null {
  if (b === undefined || (typeof b === 'object' && b !== null && !Array.isArray(b))) return null;
  return Errors.validation([{ field: 'body', message: 'the body must be a JSON object' }]);
}

/**
 * The chains, then one check of their results. `orElse` replaces VALIDATION_ERROR where the contract wants
 * another answer (an id that cannot exist names nothing: 404, the same as an id that does not).
 */
export function validate(chains: ValidationChain[], orElse?: () => DomainError) {
  return [
    (req: Request, _res: Response, next: NextFunction) => {
      const problem = notAnObjectBody(req.body);
      if (problem) return next(problem);
      next();
    },
    ...chains,
    (req: Request, _res: Response, next: NextFunction) => {
      const result = validationResult(req);
      if (result.isEmpty()) return next();
      if (orElse) return next(orElse());
      const seen = new Set<string>();
      const details = result
        .array()
        .map((e) => ({ field: e.type === 'field' && e.path ? e.path : 'body', message: String(e.msg) }))
        .filter((d) => (seen.has(d.field) ? false : (seen.add(d.field), true)));
      next(Errors.validation(details));
    },
  ];
}
