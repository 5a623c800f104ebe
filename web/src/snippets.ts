/** What a user copies next: the Palette registry settings, Terraform, packyard pull, oras pull. */
export interface SnippetInput {
  origin: string;
  host: string;
  name: string;
  version: string;
  basePath: string;
  repository: string;
}

/** Palette's OCI registry form: endpoint and base content path (docs: "Add OCI Packs Registry"). */
export function paletteSettings(s: SnippetInput): string {
  return [
    `Endpoint:          ${s.host}`,
    `Base Content Path: ${s.basePath || '(leave empty)'}`,
    'Provider:          Pack (OCI)',
    'Authentication:    Basic (a read-only registry credential)',
  ].join('\n');
}

const tfName = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=\d)/, 'p_');

/**
 * The spectrocloud provider's `spectrocloud_pack` data source (name, version, registry_uid),
 * with the registry looked up by the name it was given in Palette.
 */
export function terraform(s: SnippetInput): string {
  return [
    'data "spectrocloud_registry" "packyard" {',
    '  name = "packyard" # the name this registry has in Palette',
    '}',
    '',
    `data "spectrocloud_pack" "${tfName(s.name)}" {`,
    `  name         = "${s.name}"`,
    `  version      = "${s.version}"`,
    '  registry_uid = data.spectrocloud_registry.packyard.id',
    '}',
  ].join('\n');
}

export function packyardPull(s: SnippetInput): string {
  const registry = s.basePath ? `${s.host}/${s.basePath}` : s.host;
  return `packyard pull ${s.name}:${s.version} ./${s.name}-${s.version} --registry ${registry}`;
}

export function orasPull(s: SnippetInput): string {
  const plain = s.origin.startsWith('http:') ? ' --plain-http' : '';
  return `oras pull${plain} ${s.host}/${s.repository}:${s.version}`;
}
