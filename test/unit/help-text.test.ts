import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/main.ts';

const io = { out: () => {}, err: () => {}, isTty: false, env: {}, cwd: process.cwd() };

function all(cmd: Command, prefix = ''): [string, Command][] {
  const name = `${prefix}${cmd.name()}`;
  return [[name, cmd], ...cmd.commands.flatMap((c) => all(c, `${name} `))];
}

describe('--help of every command', () => {
  const commands = all(buildProgram(io, () => {}));

  it('covers the Spectro-style verbs and init', () => {
    const names = commands.map(([n]) => n);
    for (const n of [
      'packyard init',
      'packyard pack build',
      'packyard pack push',
      'packyard pack tag add',
      'packyard tag add',
      'packyard registry login',
    ])
      expect(names).toContain(n);
  });

  it.each(commands.map(([n, c]) => [n, c] as const))('%s shows defaults as they are', (_name, cmd) => {
    const help = cmd.helpInformation().replace(/\s*\n\s*/g, ' ');
    // No default that says nothing, numbers unquoted, one default per item.
    expect(help).not.toMatch(/\(default: false\)|default: \[\]|default: ""/);
    expect(help).not.toMatch(/default: "\d+"/);
    for (const line of cmd.helpInformation().split(/\n(?=\s{2}\S)/))
      expect(line.match(/default:/g)?.length ?? 0, line).toBeLessThanOrEqual(1);
    const dirArg = cmd.registeredArguments.find((a) => a.name() === 'dir' && a.variadic);
    if (dirArg) expect(help).toContain('(default: .)');
  });
});
