import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logger. Secret-bearing fields are redacted wherever they appear, so a stray
 * `log.info({ settings })` cannot leak a bot token or password.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { svc: 'switchboard' },
    redact: {
      paths: [
        'password', '*.password', 'token', '*.token', 'secret', '*.secret', 'secrets', '*.secrets',
        'req.headers.authorization', 'req.headers.cookie', 'headers.authorization',
        'settings.botToken', 'botToken', '*.botToken', 'webhookSecret', '*.webhookSecret', 'settings.signingSecret', 'settings.identitySecret', '*.passwordHash',
      ],
      censor: '[redacted]',
    },
  });
}
