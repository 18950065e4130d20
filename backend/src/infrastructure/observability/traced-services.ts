// Domain spans (issue 30): with tracing on, each call of a domain service's method runs in a span named
// `<Service>.<method>` (AuthService.login), the child of the HTTP span and the parent of the pg and Redis
// spans its ports cause. Wrapping the service objects here keeps the domain free of tracing code; container.ts
// loads this module only when tracing is on, so with it off the services are the plain objects.
import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';

const tracer = trace.getTracer('sessionary-domain');

/** Replaces, on each service object, every method of its class with one that runs the original in a span. */
export function traceServices(services: Record<string, object>): void {
  for (const service of Object.values(services)) traceMethods(service);
}

function traceMethods(service: object): void {
  const className = service.constructor.name;
  const target = service as Record<string, unknown>;
  for (let proto = Object.getPrototypeOf(service) as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      // A subclass's override was wrapped first; getters and fields stay as they are.
      if (name === 'constructor' || Object.hasOwn(target, name) || typeof descriptor?.value !== 'function') continue;
      target[name] = traced(`${className}.${name}`, descriptor.value as (...args: unknown[]) => unknown);
    }
  }
}

function traced(spanName: string, method: (...args: unknown[]) => unknown) {
  return function (this: unknown, ...args: unknown[]): unknown {
    return tracer.startActiveSpan(spanName, (span) => {
      let result: unknown;
      try {
        result = method.apply(this, args);
      } catch (err) {
        fail(span, err);
        throw err;
      }
      if (result instanceof Promise) {
        return result.then(
          (value: unknown) => {
            span.end();
            return value;
          },
          (err: unknown) => {
            fail(span, err);
            throw err;
          },
        );
      }
      span.end();
      return result;
    });
  };
}

/** The span fails with the error; a domain error's code (INVALID_CREDENTIALS, ...) goes on it to search by. */
function fail(span: Span, err: unknown): void {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
  if (code) span.setAttribute('sessionary.error_code', code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  span.end();
}
