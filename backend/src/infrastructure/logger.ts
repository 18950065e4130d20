// winston JSON logs. Nothing secret is ever passed to the logger: request logs carry method, path,
// status, duration and request id only (never bodies, headers or query strings).
import winston from 'winston';

export type Logger = winston.Logger;

export function createLogger(level: string, transports?: winston.transport[]): Logger {
  return winston.createLogger({
    level,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: transports ?? [new winston.transports.Console()],
  });
}
