/**
 * Reads a secret string from AWS Secrets Manager (the deployed token signing key). The client is
 * imported on the first call, so a container that never needs the secret never loads it.
 */
export function secretsManagerSecret(secretId: string, region?: string): () => Promise<string> {
  return async () => {
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const client = new SecretsManagerClient(region ? { region } : {});
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      if (!out.SecretString) throw new Error(`secret ${secretId} has no string value`);
      return out.SecretString;
    } finally {
      client.destroy();
    }
  };
}
