import { readFileSync } from 'node:fs';
import path from 'node:path';
import { effectiveSettings } from '../../core/lint-config.ts';
import { findLintConfig } from '../../core/lint-config-file.ts';
import { IMAGE_RULES } from '../../core/pack-images.ts';
import { RULES } from '../../core/rules.ts';
import { formatOption, type Register } from '../command-kit.ts';
import { EXIT, type Io } from '../io.ts';
import { cliLintPolicies } from '../lint-policies.ts';

export interface RulesOptions {
  format: 'text' | 'json';
  /** A lint configuration to apply; else the nearest `.packyard.yaml` above `pack` (or the current folder). */
  config?: string;
  /** A pack folder whose effective severities to show (overrides by path and name apply). */
  pack?: string;
}

/** The static catalog, then the image checks (`lint --check-images`), as effectiveSettings orders them. */
const ALL_RULES = [...RULES, ...IMAGE_RULES];

export function rulesCommand(opts: RulesOptions, io: Io): number {
  const dir = path.resolve(opts.pack ?? '.');
  const configFile = opts.config ? path.resolve(opts.config) : findLintConfig(dir);
  const policy = cliLintPolicies(configFile)(dir);
  const settings = effectiveSettings(policy, opts.pack ? packName(dir) : undefined);
  if (opts.format === 'json') {
    const rows = ALL_RULES.map((r, i) => ({ ...r, effective: settings[i]?.effective }));
    io.out(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.ok;
  }
  io.out(configFile ? `config: ${configFile}\n` : 'config: none (catalog defaults)\n');
  const width = Math.max(...ALL_RULES.map((r) => r.id.length));
  for (const [i, r] of ALL_RULES.entries()) {
    const eff = settings[i]?.effective ?? r.severity;
    const shown = eff === r.severity ? eff : `${eff} (default ${r.severity})`;
    io.out(`${r.id.padEnd(width)}  ${shown.padEnd(7)}  ${r.description}\n`);
  }
  return EXIT.ok;
}

/** The pack.json name of a pack folder, for overrides by name (undefined when unreadable). */
function packName(dir: string): string | undefined {
  try {
    const name = (JSON.parse(readFileSync(path.join(dir, 'pack.json'), 'utf8')) as { name?: unknown }).name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

export const register: Register = (program, { io, setExit }) => {
  program
    .command('rules')
    .description('List the lint rules with their ids, default and effective severities.')
    .argument('[pack]', 'a pack folder: show the severities its nearest .packyard.yaml gives')
    .addOption(formatOption())
    .option('--config <file>', 'lint configuration to apply (default: the nearest .packyard.yaml above PACK)')
    .action((pack: string | undefined, o) =>
      setExit(rulesCommand({ format: o.format, config: o.config, pack }, io)),
    );
};
