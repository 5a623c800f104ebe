import { lintPolicies } from '../core/lint-config-file.ts';
import type { PackPolicy } from '../core/lint-policy.ts';
import { UsageError } from './io.ts';

/** `--config`, as lint, build, push and rules declare it. */
export const CONFIG_OPTION_FLAGS = '--config <file>';
export const CONFIG_OPTION_HELP = 'lint configuration (default: the nearest .packyard.yaml above each pack)';

/** The lint policies of a run; a bad config file is a usage error naming file:line. */
export function cliLintPolicies(config: string | undefined): (dir: string) => PackPolicy | undefined {
  try {
    const policies = lintPolicies(config);
    return (dir) => {
      try {
        return policies(dir);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
