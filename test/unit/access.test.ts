import { describe, expect, it } from 'vitest';
import {
  anonymousPrincipal,
  credentialPrincipal,
  type Principal,
  pullFilter,
  tokenPrincipal,
} from '../../lambdas/registry/auth/access.ts';

const REPOS = ['spectro-packs/archive/a', 'team-a/spectro-packs/archive/b', 'team-b/x', 'x'];

/** pullsEverything must never claim more than `can` grants: listings skip the check on it. */
function expectConsistent(p: Principal, everything: boolean) {
  expect(p.pullsEverything).toBe(everything);
  const filter = pullFilter(p);
  if (everything) {
    expect(filter).toBeUndefined();
    for (const r of REPOS) expect(p.can('pull', r)).toBe(true);
  } else {
    expect(REPOS.some((r) => !p.can('pull', r))).toBe(true);
    for (const r of REPOS) expect(filter?.(r)).toBe(p.can('pull', r));
  }
}

describe('principals: who pulls everything (auth/access.ts)', () => {
  it('a credential with the empty prefix, whatever its scope; not one with a prefix', () => {
    for (const scope of ['read', 'write', 'admin'] as const) {
      expectConsistent(credentialPrincipal('u', scope, ''), true);
      expectConsistent(credentialPrincipal('u', scope, 'team-a/'), false);
    }
  });

  it('anonymous callers exactly when anonymous pull is on', () => {
    expectConsistent(anonymousPrincipal(true), true);
    expectConsistent(anonymousPrincipal(false), false);
  });

  it('a token with an empty pull prefix or grant; not one limited to repositories or prefixes', () => {
    expectConsistent(tokenPrincipal('u', [], '', { pullPrefix: '' }), true);
    expectConsistent(tokenPrincipal('u', [], undefined, { grants: [''] }), true);
    expectConsistent(tokenPrincipal('u', [], '', { pullPrefix: 'team-a/' }), false);
    expectConsistent(tokenPrincipal('u', [], undefined, { grants: ['team-a/'] }), false);
    expectConsistent(tokenPrincipal('u', [{ type: 'repository', name: 'x', actions: ['pull'] }], ''), false);
  });
});
