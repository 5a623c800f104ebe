import { type Descriptor, INDEX_MEDIA_TYPES, MANIFEST_MEDIA_TYPES } from '../../../core/oci.ts';
import { badRequest } from './errors.ts';
import { validateDigest } from './names.ts';

/** What the registry checks in a pushed manifest (the media types are core/oci.ts's). */

const MANIFEST_TYPES = new Set(MANIFEST_MEDIA_TYPES);
export const INDEX_TYPES = new Set(INDEX_MEDIA_TYPES);

export interface ParsedManifest {
  mediaType: string;
  config?: Descriptor;
  layers: Descriptor[];
  manifests: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** Parses and checks a pushed manifest: JSON, schemaVersion 2, a known media type, valid descriptors. */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw badRequest('MANIFEST_INVALID', `manifest is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw badRequest('MANIFEST_INVALID', 'manifest must be a JSON object');
  if (doc.schemaVersion !== 2) throw badRequest('MANIFEST_INVALID', 'manifest schemaVersion must be 2');
  const mediaType =
    (typeof doc.mediaType === 'string' ? doc.mediaType : contentType?.split(';')[0]?.trim()) ?? '';
  if (!MANIFEST_TYPES.has(mediaType)) {
    throw badRequest(
      'MANIFEST_INVALID',
      `unsupported manifest media type "${mediaType.slice(0, 100)}"; send an OCI image manifest or index`,
      {
        supported: [...MANIFEST_TYPES],
      },
    );
  }
  const ct = contentType?.split(';')[0]?.trim();
  if (typeof doc.mediaType === 'string' && ct && ct !== doc.mediaType) {
    throw badRequest(
      'MANIFEST_INVALID',
      `Content-Type "${ct}" does not match the manifest's mediaType "${doc.mediaType}"`,
    );
  }
  const desc = (v: unknown, where: string): Descriptor => {
    const d = v as Descriptor;
    if (
      typeof d !== 'object' ||
      d === null ||
      typeof d.mediaType !== 'string' ||
      typeof d.digest !== 'string' ||
      !Number.isSafeInteger(d.size) ||
      d.size < 0
    ) {
      throw badRequest('MANIFEST_INVALID', `${where} is not a valid descriptor (mediaType, digest, size)`);
    }
    validateDigest(d.digest);
    return d;
  };
  const list = (v: unknown, where: string) => {
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw badRequest('MANIFEST_INVALID', `${where} must be an array`);
    return v.map((x, i) => desc(x, `${where}[${i}]`));
  };
  const isIndex = INDEX_TYPES.has(mediaType);
  const parsed: ParsedManifest = {
    mediaType,
    config: isIndex ? undefined : desc(doc.config, 'config'),
    layers: isIndex ? [] : list(doc.layers, 'layers'),
    manifests: isIndex ? list(doc.manifests, 'manifests') : [],
    subject: doc.subject === undefined ? undefined : desc(doc.subject, 'subject'),
    artifactType: typeof doc.artifactType === 'string' ? doc.artifactType : undefined,
    annotations: isStringMap(doc.annotations) ? doc.annotations : undefined,
  };
  return parsed;
}

function isStringMap(v: unknown): v is Record<string, string> {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => typeof x === 'string')
  );
}
