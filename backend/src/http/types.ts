// Request fields our middleware adds.
import type { AccessClaims } from '../domain/types';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      id: string;
      auth?: AccessClaims;
    }
  }
}

export {};
