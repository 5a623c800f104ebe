import { readPngHeader } from '../png.ts';
import { formatBytes, LIMITS, type LintContext } from './context.ts';

const MAX_LOGO_BYTES = 1024 * 1024;
const MAX_LOGO_PIXELS = 4096;

export function lintLogo(ctx: LintContext): void {
  const file = 'logo.png';
  if (!ctx.isFile(file)) {
    ctx.report(
      'logo/missing',
      file,
      'the pack has no logo.png; Palette shows it in the catalog (a square PNG, e.g. 256×256)',
    );
    return;
  }
  const bytes = ctx.bytes(file, LIMITS.logo);
  if (!bytes) return;
  const png = readPngHeader(bytes);
  if (!png.ok) {
    ctx.report('logo/png', file, `${png.reason}; save the logo as a PNG image`);
    return;
  }
  if (png.width === 0 || png.height === 0) {
    ctx.report('logo/png', file, `claims ${png.width}×${png.height} pixels; the image is corrupt`);
  } else if (png.width > MAX_LOGO_PIXELS || png.height > MAX_LOGO_PIXELS) {
    ctx.report(
      'logo/size',
      file,
      `is ${png.width}×${png.height} pixels; scale it down to at most ${MAX_LOGO_PIXELS}×${MAX_LOGO_PIXELS} (256×256 is plenty)`,
    );
  }
  if (bytes.length > MAX_LOGO_BYTES) {
    ctx.report(
      'logo/size',
      file,
      `is ${formatBytes(bytes.length)}; keep logos under ${formatBytes(MAX_LOGO_BYTES)} so the catalog loads quickly`,
    );
  }
}

export function lintReadme(ctx: LintContext): void {
  const has = ctx.tree.entries.some(
    (e) => e.type === 'file' && !e.path.includes('/') && e.path.toLowerCase() === 'readme.md',
  );
  if (!has)
    ctx.report(
      'readme/missing',
      'README.md',
      'the pack has no README.md; describe what it deploys and its parameters',
    );
}
