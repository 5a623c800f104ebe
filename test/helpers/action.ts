import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { goodPack, ROOT, tempDir, writeFiles } from './packs.ts';

/**
 * Runs the checked-in bundle (dist/index.js) exactly as the runner does: inputs in INPUT_<NAME>,
 * outputs and summary in the files GITHUB_OUTPUT and GITHUB_STEP_SUMMARY name, cwd the workspace.
 */
export const BUNDLE = path.join(ROOT, 'dist', 'index.js');

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

export interface ResultEntry {
  name: string | null;
  version: string | null;
  digest: string | null;
  status: string;
  path: string;
  message?: string;
}

export function runAction(
  workspace: string,
  inputs: Record<string, string>,
  opts: { bundle?: string; nodeArgs?: string[]; env?: Record<string, string> } = {},
): Promise<ActionRun> {
  const files = tempDir('runner-');
  const outputFile = path.join(files, 'output');
  const summaryFile = path.join(files, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(INPUT_|GITHUB_|RUNNER_)/.test(k)) env[k] = v;
  for (const [name, value] of Object.entries(inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  Object.assign(env, {
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: workspace,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/packs',
    GITHUB_SHA: 'abc123',
    ...opts.env,
  });
  // Asynchronous on purpose: the registry runs in this process and must keep answering.
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...(opts.nodeArgs ?? []), opts.bundle ?? BUNDLE],
      { cwd: workspace, env, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({
          code,
          stdout: String(stdout),
          stderr: String(stderr),
          outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
          summary: readFileSync(summaryFile, 'utf8'),
        });
      },
    );
  });
}

/** The GITHUB_OUTPUT file: `name<<DELIMITER`, value lines, `DELIMITER` (or `name=value`). */
function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const end = lines.indexOf(delimiter, i + 1);
      if (end < 0) throw new Error(`output ${name}: no closing ${delimiter}`);
      out[name] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

export function result(run: ActionRun): ResultEntry[] {
  return JSON.parse(run.outputs.result ?? 'null') as ResultEntry[];
}

/** A clean pack named `name`; `pack.json` in `over` is merged into the pack.json, other files replace. */
export function pack(name: string, over: Record<string, string | Buffer | undefined> = {}) {
  const { 'pack.json': extra, ...rest } = over;
  const files = goodPack(rest);
  const json = JSON.parse(String(files['pack.json'])) as Record<string, unknown>;
  return {
    ...files,
    'pack.json': JSON.stringify({ ...json, name, ...JSON.parse(String(extra ?? '{}')) }, null, 2),
  };
}

/** A workspace (the checked-out repository) holding the given packs under packs/. */
export function workspace(packs: Record<string, Record<string, string | Buffer>>): string {
  const dir = tempDir('workspace-');
  for (const [sub, files] of Object.entries(packs)) writeFiles(path.join(dir, 'packs', sub), files);
  writeFileSync(path.join(dir, 'README.md'), '# not a pack\n');
  return dir;
}
