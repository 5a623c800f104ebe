export declare const DTS: string;
export declare function generate(schemaPath: string): string;
