import type { ApiGatewayEvent, ApiGatewayResult } from './http/apigw.ts';
import { registryFromEnv } from './wiring.ts';

// Built once per Lambda container (clients and caches are reused across invocations).
const registry = registryFromEnv(process.env);

export const handler = (event: ApiGatewayEvent): Promise<ApiGatewayResult> => registry(event);
