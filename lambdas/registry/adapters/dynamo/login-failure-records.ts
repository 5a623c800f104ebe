import type { LoginFailureIndex, LoginFailureRecord } from '../../ports.ts';
import type { DynamoTable } from './items.ts';
import { keys, TTL_ATTRIBUTE } from './table.ts';

/**
 * Failed-login windows: one item per credential or source address, counted with a conditional
 * UpdateItem while its window is open and replaced by a fresh window once it has closed. TTL
 * removes old windows lazily, so the window's end is always checked, never the item's presence.
 */
export function loginFailureRecords(table: DynamoTable): LoginFailureIndex {
  return {
    // GetItem each (one or two keys, in parallel): the function's role has no BatchGetItem.
    getLoginFailures: (wanted) =>
      Promise.all(wanted.map((k) => table.get<LoginFailureRecord>(keys.loginFailures(k)))),

    async addLoginFailure(key, windowSeconds) {
      const k = keys.loginFailures(key);
      for (let attempt = 0; attempt < 3; attempt++) {
        const now = table.now();
        const counted = await table.updateReturning<LoginFailureRecord>(k, (e) => ({
          update: `ADD ${e.name('failures')} ${e.value(1)}`,
          condition: `${e.name('windowEndsAt')} > ${e.value(now)}`,
        }));
        if (counted) return counted;
        const fresh: LoginFailureRecord = { failures: 1, windowEndsAt: now + windowSeconds };
        const opened = await table.putIf(
          { ...k, kind: 'login-failures', ...fresh, [TTL_ATTRIBUTE]: fresh.windowEndsAt },
          (e) => `attribute_not_exists(${e.name('pk')}) OR ${e.name('windowEndsAt')} <= ${e.value(now)}`,
        );
        if (opened) return fresh;
        // Another failure opened the window meanwhile: count into it.
      }
      throw new Error('the failed-login window keeps changing');
    },
  };
}
