import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../server/config.js';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('loadConfig accepted a bad environment');
}

describe('loadConfig', () => {
  it('has working defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe('0.0.0.0');
    expect(c.dataDir).toBe(path.resolve('./data'));
    expect(path.isAbsolute(c.dataDir)).toBe(true);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
    expect(c.publicUrl).toBeUndefined();
    expect(c.adminEmail).toBe('admin@example.com');
    expect(c.adminPassword).toBeUndefined();
    expect(c.secretKey).toBeUndefined();
    expect(c.loginRatePerMinute).toBeGreaterThan(0);
    expect(c.sessionRatePerMinute).toBeGreaterThan(0);
  });

  it('reads and coerces the variables it is given', () => {
    const c = loadConfig({
      PORT: '8080',
      DATA_DIR: 'some/dir',
      DATABASE_URL: 'postgres://u@h/db',
      ADMIN_EMAIL: 'boss@shop.example',
      ADMIN_PASSWORD: 'long enough password',
      LOGIN_RATE_PER_MINUTE: '7',
      SESSION_RATE_PER_MINUTE: '42',
    });
    expect(c.port).toBe(8080);
    expect(c.dataDir).toBe(path.resolve('some/dir'));
    expect(c.databaseUrl).toBe('postgres://u@h/db');
    expect(c.adminEmail).toBe('boss@shop.example');
    expect(c.adminPassword).toBe('long enough password');
    expect(c.loginRatePerMinute).toBe(7);
    expect(c.sessionRatePerMinute).toBe(42);
  });

  it.each(['abc', '-1', '70000', '3.5'])('a bad PORT (%s) is a ConfigError naming PORT', (port) => {
    const err = configError({ PORT: port });
    expect(err.issues.some((i) => i.startsWith('PORT'))).toBe(true);
    expect(err.message).toContain('PORT');
  });

  it('lists every bad variable, not just the first', () => {
    const err = configError({ PORT: 'abc', ADMIN_EMAIL: 'not-an-email', SECRET_KEY: 'short', LOG_LEVEL: 'loud' });
    for (const name of ['PORT', 'ADMIN_EMAIL', 'SECRET_KEY', 'LOG_LEVEL']) {
      expect(err.issues.some((i) => i.startsWith(name))).toBe(true);
    }
    expect(err.issues).toHaveLength(4);
  });

  it('treats empty-string variables as unset', () => {
    const c = loadConfig({ PORT: '', DATABASE_URL: '', REDIS_URL: '', PUBLIC_URL: '', ADMIN_PASSWORD: '', SECRET_KEY: '', DATA_DIR: '' });
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
    expect(c.publicUrl).toBeUndefined();
    expect(c.adminPassword).toBeUndefined();
    expect(c.secretKey).toBeUndefined();
    expect(c.dataDir).toBe(path.resolve('./data'));
  });

  it('strips trailing slashes from PUBLIC_URL', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://chat.example.com/' }).publicUrl).toBe('https://chat.example.com');
    expect(loadConfig({ PUBLIC_URL: 'https://chat.example.com/support//' }).publicUrl).toBe('https://chat.example.com/support');
    expect(loadConfig({ PUBLIC_URL: 'https://chat.example.com' }).publicUrl).toBe('https://chat.example.com');
  });

  it('rejects a PUBLIC_URL that is not a URL', () => {
    expect(configError({ PUBLIC_URL: 'chat.example.com' }).issues.some((i) => i.startsWith('PUBLIC_URL'))).toBe(true);
  });
});
