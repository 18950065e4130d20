// The role rules as plain functions (domain/roles/access.ts): closure over included roles, cycle paths,
// whether a change took something away, and the patterns of names and permissions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cycleThrough, effectiveAccess, lostAccess, PERMISSION_PATTERN, ROLE_NAME_PATTERN, type RoleDefinition } from '../../backend/src/domain/roles/access';

const at = new Date(0);
const defs = (...list: [string, string[], string[]][]) =>
  new Map(list.map(([name, permissions, includes]): [string, RoleDefinition] => [name, { name, description: null, permissions, includes, builtIn: false, createdAt: at, updatedAt: at }]));

describe('role rules', () => {
  it('when roles include roles, then the closure holds every role reached and every permission of those', () => {
    const d = defs(['user', [], []], ['reader', ['orders:read'], ['user']], ['clerk', ['orders:write'], ['reader']], ['auditor', ['audit:read'], []]);
    assert.deepEqual(effectiveAccess(d, ['clerk']), { roles: ['clerk', 'reader', 'user'], permissions: ['orders:read', 'orders:write'] });
    assert.deepEqual(effectiveAccess(d, ['clerk', 'auditor']).permissions, ['audit:read', 'orders:read', 'orders:write']);
    // An unknown name is held but grants nothing; a stored cycle (never written by the service) ends the walk.
    assert.deepEqual(effectiveAccess(d, ['ghost']), { roles: ['ghost'], permissions: [] });
    const cyclic = defs(['a', ['x:read'], ['b']], ['b', ['y:read'], ['a']]);
    assert.deepEqual(effectiveAccess(cyclic, ['a']), { roles: ['a', 'b'], permissions: ['x:read', 'y:read'] });
  });

  it('when new includes would lead back to the role, then the cycle path is named; otherwise null', () => {
    const d = defs(['a', [], []], ['b', [], ['a']], ['c', [], ['b']], ['d', [], []]);
    assert.deepEqual(cycleThrough(d, 'a', ['c']), ['a', 'c', 'b', 'a']);
    assert.deepEqual(cycleThrough(d, 'a', ['a']), ['a', 'a']);
    assert.equal(cycleThrough(d, 'a', ['d']), null);
    assert.equal(cycleThrough(d, 'c', ['d', 'a']), null);
  });

  it('when access shrinks in roles or permissions, then lostAccess says so; growth alone does not', () => {
    const before = { roles: ['a', 'user'], permissions: ['x:read'] };
    assert.equal(lostAccess(before, { roles: ['a', 'user'], permissions: ['x:read', 'y:read'] }), false);
    assert.equal(lostAccess(before, { roles: ['a', 'user'], permissions: [] }), true);
    assert.equal(lostAccess(before, { roles: ['user'], permissions: ['x:read'] }), true);
  });

  it('when names and permissions are checked, then only the documented shapes pass', () => {
    for (const ok of ['orders:read', 'billing.invoices:*', 'a-b_c:x.y-z', '0:0']) assert.match(ok, PERMISSION_PATTERN);
    for (const bad of ['orders', 'Orders:read', 'orders:read:extra', ':read', 'orders:', 'or ders:read', 'orders:re ad']) assert.doesNotMatch(bad, PERMISSION_PATTERN);
    for (const ok of ['support', 'ops.oncall', 'a', 'team-2_x']) assert.match(ok, ROLE_NAME_PATTERN);
    for (const bad of ['', '2fa', 'Support', 'has space', 'x'.repeat(65)]) assert.doesNotMatch(bad, ROLE_NAME_PATTERN);
  });
});
