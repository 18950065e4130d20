// Turns express-validator failures into one VALIDATION_ERROR with per-field details.
import type { NextFunction, Request, Response } from 'express';
import { validationResult, type ValidationChain } from 'express-validator';
import { Errors } from '../../domain/errors';

export function validate(chains: ValidationChain[]) {
  return [
    ...chains,
    (req: Request, _res: Response, next: NextFunction) => {
      const result = validationResult(req);
      if (result.isEmpty()) return next();
      const seen = new Set<string>();
      const details = result
        .array()
        .map((e) => ({ field: e.type === 'field' && e.path ? e.path : 'body', message: String(e.msg) }))
        .filter((d) => (seen.has(d.field) ? false : (seen.add(d.field), true)));
      next(Errors.validation(details));
    },
  ];
}
