import { scopeAllows, storedTokenScope, TOKEN_SCOPES } from '../../../functions/core/token-scope';

describe('token scopes', () => {
  it('lets an admin token use every route', () => {
    for (const required of TOKEN_SCOPES) expect(scopeAllows('admin', required)).toBe(true);
  });

  it('lets an ingest token post events only', () => {
    expect(scopeAllows('ingest', 'ingest')).toBe(true);
    expect(scopeAllows('ingest', 'read')).toBe(false);
    expect(scopeAllows('ingest', 'admin')).toBe(false);
  });

  it('lets a read token use the read routes only', () => {
    expect(scopeAllows('read', 'read')).toBe(true);
    expect(scopeAllows('read', 'ingest')).toBe(false);
    expect(scopeAllows('read', 'admin')).toBe(false);
  });

  it('reads a missing or unknown stored scope as ingest, the least privileged', () => {
    expect(storedTokenScope(undefined)).toBe('ingest');
    expect(storedTokenScope('root')).toBe('ingest');
    expect(storedTokenScope(42)).toBe('ingest');
    expect(storedTokenScope('read')).toBe('read');
    expect(storedTokenScope('admin')).toBe('admin');
  });
});
