import { RULES } from '../../core/rules.ts';
import { formatOption, type Register } from '../command-kit.ts';
import { EXIT, type Io } from '../io.ts';

export function rulesCommand(opts: { format: 'text' | 'json' }, io: Io): number {
  if (opts.format === 'json') {
    io.out(`${JSON.stringify(RULES, null, 2)}\n`);
    return EXIT.ok;
  }
  const width = Math.max(...RULES.map((r) => r.id.length));
  for (const r of RULES) io.out(`${r.id.padEnd(width)}  ${r.severity.padEnd(7)}  ${r.description}\n`);
  return EXIT.ok;
}

export const register: Register = (program, { io, setExit }) => {
  program
    .command('rules')
    .description('List the lint rules with their ids and default severities.')
    .addOption(formatOption())
    .action((o) => setExit(rulesCommand({ format: o.format }, io)));
};
