// Turns express-validator failures into one VALIDATION_ERROR with per-field details, over HTTP and NATS alike.
import type { NextFunction, Request, Response } from 'express';
import { validationResult, type Result, type ValidationChain, type ValidationError } from 'express-validator';
import { Errors, type DomainError } from '../domain/errors';

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
      next(validationFailure(result));
    },
  ];
}

/** One VALIDATION_ERROR for failed chains: a detail per field, its first message (later ones repeat it). */
export function validationFailure(result: Result<ValidationError>): DomainError {
  const seen = new Set<string>();
  const details = result
    .array()
    .map((e) => ({ field: e.type === 'field' && e.path ? e.path : 'body', message: String(e.msg) }))
    .filter((d) => (seen.has(d.field) ? false : (seen.add(d.field), true)));
  return Errors.validation(details);
}
