import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import semver from 'semver';
import { parse } from 'yaml';
import { KNOWN_ADDON_TYPES } from '../../core/lint/pack-json.ts';
import { lintPackDirs } from '../../core/lint-packs.ts';
import { placeholderLogo } from '../../core/png-encode.ts';
import { imagesFromTemplate, imagesFromValues, uniqueImages } from '../../core/scaffold/images.ts';
import {
  chartFileName,
  LAYERS,
  namespaceFor,
  type PackIdentity,
  renderPackJson,
  renderReadme,
  renderValuesYaml,
  type ScaffoldInput,
} from '../../core/scaffold/pack-files.ts';
import schema from '../../core/schemas/pack.schema.json' with { type: 'json' };
import { type ChartSource, readChartSource } from '../chart-source.ts';
import type { Register } from '../command-kit.ts';
import { formatLint } from '../format/findings.ts';
import { EXIT, type Io, UsageError, useColor } from '../io.ts';
import { canPrompt, type Prompter, terminalPrompter } from '../prompt.ts';

export interface InitOptions {
  name?: string;
  version?: string;
  displayName?: string;
  layer?: string;
  addonType?: string;
  cloudTypes?: string;
  namespace?: string;
  chart?: string;
  manifests?: string[];
  image?: string[];
  force?: boolean;
}

const CLOUD_TYPES: string[] = schema.properties.cloudTypes.items.enum;
const PACK_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DEFAULT_ADDON_TYPE = 'app services';

/** `packyard init DIR` (and Spectro's `pack build NAME DIR`): a new pack from a chart or manifests. */
export async function initCommand(
  dir: string,
  opts: InitOptions,
  io: Io,
  prompter?: Prompter,
): Promise<number> {
  if (opts.chart && opts.manifests?.length)
    throw new UsageError('pass either --chart or --manifests, not both');
  await checkTarget(dir, opts.force ?? false);
  const ask = async (q: string, given: string | undefined, dflt: string) =>
    given ?? (prompter ? await prompter.ask(q, dflt) : dflt);

  let chartPath = opts.chart;
  let manifestFiles = opts.manifests ?? [];
  if (!chartPath && manifestFiles.length === 0) {
    if (!prompter)
      throw new UsageError(
        'pass --chart PATH (a chart folder or .tgz) or --manifests FILE… to build the pack from',
      );
    const a = await prompter.ask('Helm chart (folder or .tgz), or manifest files separated by spaces');
    if (!a) throw new UsageError('a pack needs a Helm chart or manifests');
    const words = a.split(/\s+/);
    if (words.length === 1 && (await isChart(words[0] as string))) chartPath = words[0];
    else manifestFiles = words;
  }

  const chart = chartPath ? await readChartSource(chartPath) : undefined;
  const manifests = chart ? [] : await readManifests(manifestFiles);

  const name = await ask(
    'Pack name',
    opts.name,
    chart?.name ?? namespaceFor(path.basename(path.resolve(dir))),
  );
  if (!PACK_NAME.test(name))
    throw new UsageError(
      `pack name "${name}" must be lowercase letters and digits, separated by ".", "_" or "-"`,
    );
  const version = await ask('Version', opts.version, chart ? chart.version.replace(/^v/, '') : '1.0.0');
  if (!semver.valid(version) || version.startsWith('v'))
    throw new UsageError(
      `version "${version}"${chart && !opts.version ? ` (the chart's)` : ''} is not a semantic version like 1.2.3 (no leading "v", no leading zeros); pass --version`,
    );
  const displayName = await ask('Display name', opts.displayName, titleCase(name));
  const layer = await ask('Layer', opts.layer, 'addon');
  if (!(LAYERS as readonly string[]).includes(layer))
    throw new UsageError(`--layer must be one of ${LAYERS.join(', ')} (got "${layer}")`);
  let addonType: string | undefined;
  if (layer === 'addon') {
    addonType = await ask('Add-on type', opts.addonType, DEFAULT_ADDON_TYPE);
    if (!KNOWN_ADDON_TYPES.includes(addonType))
      throw new UsageError(
        `--addon-type must be one Palette knows: ${KNOWN_ADDON_TYPES.join(', ')} (got "${addonType}")`,
      );
  }
  const cloudTypes = (await ask('Cloud types (comma-separated)', opts.cloudTypes, 'all'))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = cloudTypes.filter((c) => !CLOUD_TYPES.includes(c));
  if (cloudTypes.length === 0 || unknown.length > 0)
    throw new UsageError(
      `--cloud-types takes a comma-separated list of ${CLOUD_TYPES.join(', ')} (got "${unknown.join(',') || ''}")`,
    );
  const namespace = opts.namespace ?? namespaceFor(name);

  let images = uniqueImages(
    opts.image ?? [],
    chart ? chartImages(chart) : [],
    ...manifests.map((m) => imagesFromTemplate(m.text)),
  );
  if (images.length === 0 && layer !== 'os' && layer !== 'k8s') {
    const where = chart
      ? `the chart ${chart.name} names no image literally`
      : 'the manifests name no image literally';
    if (!prompter)
      throw new UsageError(
        `${where}; pass --image REF (repeatable) for each image the pack deploys (pack.content.images lets air-gapped clusters mirror them)`,
      );
    images = (await prompter.ask(`${where}. Images it deploys (separated by spaces)`))
      .split(/\s+/)
      .filter(Boolean);
    if (images.length === 0) throw new UsageError('pack.content.images needs at least one image');
  }

  const pack: PackIdentity = {
    name,
    version,
    displayName,
    layer: layer as PackIdentity['layer'],
    addonType,
    cloudTypes,
  };
  const input: ScaffoldInput = {
    pack,
    namespace,
    images,
    chart: chart ? { name: chart.name, version: chart.version, valuesText: chart.valuesText } : undefined,
    manifests: manifests.map((m) => m.file),
  };
  await fs.mkdir(dir, { recursive: true });
  const write = (rel: string, data: string | Uint8Array) => fs.writeFile(path.join(dir, rel), data);
  await write('pack.json', renderPackJson(input));
  await write('values.yaml', renderValuesYaml(input));
  await write('README.md', renderReadme(input));
  await write('logo.png', placeholderLogo());
  if (chart) {
    await fs.mkdir(path.join(dir, 'charts'), { recursive: true });
    await write(path.join('charts', chartFileName(chart)), chart.tgz);
  }
  if (manifests.length > 0) {
    await fs.mkdir(path.join(dir, 'manifests'), { recursive: true });
    for (const m of manifests) await write(path.join('manifests', m.file), m.text);
  }

  const run = await lintPackDirs([dir]);
  io.err(
    `created ${name} ${version} in ${dir}: pack.json, values.yaml (${images.length} image${images.length === 1 ? '' : 's'}), README.md, logo.png, ${chart ? `charts/${chartFileName(chart)}` : manifests.map((m) => `manifests/${m.file}`).join(', ')}\n`,
  );
  if (run.errors + run.warnings > 0) {
    io.out(formatLint(run, 'text', useColor(io)));
    return run.errors > 0 ? EXIT.failed : EXIT.ok;
  }
  io.err(
    `lint: 0 errors, 0 warnings\nnext: replace ${path.join(dir, 'logo.png')} (a placeholder) with the project's logo (a square PNG, e.g. 256×256), fill in README.md, then\n  packyard push ${dir} --registry HOST[/base]\n`,
  );
  return EXIT.ok;
}

async function checkTarget(dir: string, force: boolean): Promise<void> {
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR')
      throw new UsageError(`${dir} is a file, not a folder`);
    throw err;
  }
  if (entries.length > 0 && !force)
    throw new UsageError(`${dir} is not empty; pick a new folder (or pass --force to write into it)`);
}

async function isChart(p: string): Promise<boolean> {
  try {
    const s = await fs.stat(p);
    if (s.isDirectory())
      return (await fs.stat(path.join(p, 'Chart.yaml')).catch(() => undefined)) !== undefined;
    return /\.tgz$|\.tar\.gz$/.test(p);
  } catch {
    return false;
  }
}

async function readManifests(files: string[]): Promise<{ file: string; text: string }[]> {
  const out: { file: string; text: string }[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    const file = path.basename(f);
    if (!/\.ya?ml$/i.test(file)) throw new UsageError(`--manifests ${f}: a manifest is a .yaml or .yml file`);
    if (seen.has(file)) throw new UsageError(`--manifests names two files called ${file}`);
    seen.add(file);
    let text: string;
    try {
      text = await fs.readFile(f, 'utf8');
    } catch {
      throw new UsageError(`--manifests ${f}: no such file`);
    }
    out.push({ file, text });
  }
  return out;
}

function chartImages(chart: ChartSource): string[] {
  const fromValues = (text: string | undefined, appVersion: string | undefined) => {
    if (!text) return [];
    try {
      return imagesFromValues(parse(text), appVersion);
    } catch {
      return [];
    }
  };
  return uniqueImages(
    fromValues(chart.valuesText, chart.appVersion),
    ...chart.subchartValues.map((s) => fromValues(s.valuesText, s.appVersion)),
    ...chart.templates.map(imagesFromTemplate),
  );
}

function titleCase(name: string): string {
  return name
    .split(/[-_.]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join(' ');
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The options `init` and `pack build` share. */
function initOptions(cmd: Command): Command {
  return cmd
    .option('--name <name>', "pack name (default: the chart's name, else the folder's)")
    .option('--version <version>', "pack version (default: the chart's version, else 1.0.0)")
    .option('--display-name <text>', 'display name (default: the name in title case)')
    .addOption(new Option('--layer <layer>', 'layer').choices([...LAYERS]).default('addon'))
    .addOption(
      new Option('--addon-type <type>', 'add-on type (addon layer)')
        .choices(KNOWN_ADDON_TYPES)
        .default(DEFAULT_ADDON_TYPE),
    )
    .option('--cloud-types <list>', `comma-separated: ${CLOUD_TYPES.join(', ')}`, 'all')
    .option('--namespace <ns>', 'pack.namespace: where Palette installs it (default: from the name)')
    .option(
      '--chart <path>',
      'Helm chart folder or .tgz: packaged into charts/, its values under charts.<chart>',
    )
    .option(
      '--manifests <file...>',
      'Kubernetes manifest files: copied into manifests/, one manifests.<file> section each',
    )
    .option(
      '--image <ref>',
      'an image the pack deploys, for pack.content.images (repeatable; added to those found)',
      collect,
    )
    .option('-y, --yes', 'ask nothing, even on a terminal: take the defaults for what the flags leave out')
    .option('--force', 'write into a folder that is not empty')
    .addHelpText(
      'after',
      "\nOn a terminal, init asks for what the flags leave out (Enter takes the default shown).\nImages are taken from the chart's values and templates, and the manifests, where they are literal.\nThe pack written lints with no errors or warnings; replace the placeholder logo.png.",
    );
}

/** Only what the user typed: commander fills defaults, which must not stop the questions. */
function given(cmd: Command, o: Record<string, unknown>): InitOptions & { ask: boolean } {
  const ask = canPrompt() && !o.yes;
  const set = (k: string) => (cmd.getOptionValueSource(k) === 'cli' ? (o[k] as string) : undefined);
  return {
    name: o.name as string | undefined,
    version: o.version as string | undefined,
    displayName: o.displayName as string | undefined,
    layer: set('layer') ?? (ask ? undefined : (o.layer as string)),
    addonType: set('addonType') ?? (ask ? undefined : (o.addonType as string)),
    cloudTypes: set('cloudTypes') ?? (ask ? undefined : (o.cloudTypes as string)),
    namespace: o.namespace as string | undefined,
    chart: o.chart as string | undefined,
    manifests: o.manifests as string[] | undefined,
    image: o.image as string[] | undefined,
    force: Boolean(o.force),
    ask,
  };
}

async function runInit(dir: string, opts: InitOptions & { ask: boolean }, io: Io): Promise<number> {
  const prompter = opts.ask ? terminalPrompter() : undefined;
  try {
    return await initCommand(dir, opts, io, prompter);
  } finally {
    prompter?.close();
  }
}

export const register: Register = (program, { io, setExit }) => {
  const cmd = program
    .command('init')
    .description(
      'Create a pack from a Helm chart or Kubernetes manifests: pack.json, values.yaml, README.md, logo.png.',
    )
    .argument('<dir>', 'folder to create (must be new or empty)');
  initOptions(cmd).action(async (dir: string, o) => setExit(await runInit(dir, given(cmd, o), io)));
};

/** Spectro's `spectro pack build PACK_NAME TARGET_DIR`: init with the name given first. */
export const registerPackBuild: Register = (pack, { io, setExit }) => {
  const cmd = pack
    .command('build')
    .description(
      'Spectro-style: create pack NAME in DIR from a Helm chart or manifests (same as init DIR --name NAME).',
    )
    .argument('<name>', 'pack name')
    .argument('<dir>', 'folder to create');
  initOptions(cmd).action(async (name: string, dir: string, o) =>
    setExit(await runInit(dir, { ...given(cmd, o), name }, io)),
  );
};
