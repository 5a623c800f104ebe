export declare const DTS: string;
/** Each schema, its generated validator, and the ajv options it is compiled with. */
export declare const schemas: [string, string, Record<string, unknown>][];
export declare function generate(schemaPath: string, options?: Record<string, unknown>): string;
