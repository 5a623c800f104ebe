import * as core from '@actions/core';
import { type PackVisibility, PaletteClient, PaletteError } from '../client/palette.ts';
import type { PaletteInputs } from './inputs.ts';
import { cell, code } from './summary.ts';

/**
 * After publishing: asks Palette to sync the registry and waits until it lists every published
 * pack. Sets the palette outputs and returns the summary section, and the failure message when
 * Palette did not list them and palette-required is true (otherwise a warning).
 */
export async function syncPalette(
  palette: PaletteInputs | undefined,
  published: readonly { name: string; version: string }[],
  userAgent: string,
): Promise<{ markdown: string; failure?: string }> {
  core.setOutput('palette', '');
  core.setOutput('palette-visible', false);
  if (!palette) return { markdown: '' };
  if (published.length === 0) {
    core.info('Palette: nothing was published by this run, so no sync was asked for');
    return { markdown: '### Palette\n\nNothing was published by this run: no sync asked for.\n' };
  }
  const client = new PaletteClient({ ...palette, userAgent });
  let packs: PackVisibility[] = published.map((p) => ({ ...p, visible: false }));
  let problem: string | undefined;
  await core.group(`Palette: sync registry ${palette.registryUid} at ${client.endpoint}`, async () => {
    try {
      const r = await client.syncUntilVisible(published, {
        timeoutMs: palette.timeoutSeconds * 1000,
        onPoll: (v, status) =>
          core.info(
            `sync ${status?.status ?? '?'}: ${v.filter((p) => p.visible).length} of ${v.length} listed`,
          ),
      });
      packs = r.packs;
      core.info(
        `Palette lists ${packs.map((p) => `${p.name}:${p.version}`).join(', ')} (${Math.round(r.elapsedMs / 1000)} s)`,
      );
    } catch (err) {
      problem = err instanceof PaletteError ? err.message : `Palette sync failed: ${(err as Error).message}`;
      const partial = (err as { packs?: PackVisibility[] }).packs;
      if (partial) packs = partial;
    }
  });
  core.setOutput('palette', JSON.stringify(packs));
  core.setOutput('palette-visible', !problem && packs.every((p) => p.visible));
  const rows = packs.map(
    (p) =>
      `| ${code(p.name)} | ${cell(p.version)} | ${p.visible ? '✅ visible in Palette' : '⏳ not listed yet'} |`,
  );
  const md = [
    '### Palette',
    '',
    problem ? `> ${palette.required ? '❌' : '⚠️'} ${cell(problem)}\n` : '',
    '| Pack | Version | Palette |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  if (problem && palette.required) return { markdown: md, failure: problem };
  if (problem) core.warning(`${problem} (palette-required is false: not failing the step)`);
  return { markdown: md };
}
