/** OCI distribution error codes (spec §"Error Codes") plus the HTTP status each is sent with. */
export type OciErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS'
  | 'RANGE_INVALID';

/** An error answered in the spec's JSON error format: {"errors":[{code,message,detail}]}. */
export class OciError extends Error {
  constructor(
    readonly status: number,
    readonly code: OciErrorCode,
    message: string,
    readonly detail?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (code: OciErrorCode, message: string, detail?: unknown) =>
  new OciError(404, code, message, detail);
export const badRequest = (code: OciErrorCode, message: string, detail?: unknown) =>
  new OciError(400, code, message, detail);
