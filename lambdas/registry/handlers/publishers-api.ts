import type { Principal } from '../auth/access.ts';
import { type BindingInput, managesPrefix, newBinding } from '../auth/publishers.ts';
import type { ApiGatewayResult } from '../http/apigw.ts';
import { json, respond } from '../http/response.ts';
import { badRequest, notFound, OciError } from '../oci/errors.ts';
import type { PublisherBinding, PublisherIndex } from '../ports.ts';
import type { RegistryContext } from './context.ts';

/**
 * The trusted-publisher admin API (`/api/v1/publishers`): what `packyard publisher` does, over
 * HTTP, for admin credentials (the route table requires `admin`). An admin limited to a prefix
 * sees and manages only bindings inside it.
 */

function bindingJson(b: PublisherBinding) {
  return {
    id: b.id,
    prefix: b.prefix,
    repository: b.repository,
    repositoryId: b.repositoryId,
    repositoryOwnerId: b.repositoryOwnerId,
    workflow: b.workflow,
    environment: b.environment ?? null,
    ref: b.ref ?? null,
    createdAt: b.createdAt,
    createdBy: b.createdBy,
  };
}

export async function listPublishers(
  ctx: RegistryContext<PublisherIndex>,
  principal: Principal,
): Promise<ApiGatewayResult> {
  const all = await ctx.index.listPublishers();
  return json(200, {
    publishers: all.filter((b) => managesPrefix(principal.adminPrefix, b.prefix)).map(bindingJson),
  });
}

export async function addPublisher(
  ctx: RegistryContext<PublisherIndex>,
  principal: Principal,
  body: Uint8Array,
): Promise<ApiGatewayResult> {
  let input: Partial<BindingInput>;
  try {
    input = JSON.parse(Buffer.from(body).toString('utf8')) as Partial<BindingInput>;
  } catch {
    throw badRequest('UNSUPPORTED', 'send the binding as JSON');
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
  const made = newBinding(
    {
      repository: str(input?.repository),
      repositoryId: str(input?.repositoryId),
      repositoryOwnerId: str(input?.repositoryOwnerId),
      workflow: str(input?.workflow),
      environment: str(input?.environment) || undefined,
      ref: str(input?.ref) || undefined,
      prefix: str(input?.prefix),
    },
    principal.subject,
    ctx.now(),
  );
  if (!('binding' in made))
    throw badRequest('UNSUPPORTED', made.problems.join('; '), { problems: made.problems });
  if (!managesPrefix(principal.adminPrefix, made.binding.prefix))
    throw new OciError(
      403,
      'DENIED',
      `${principal.subject} may not manage bindings for ${made.binding.prefix}`,
    );
  await ctx.index.putPublisher(made.binding);
  return json(201, bindingJson(made.binding));
}

async function findManaged(
  ctx: RegistryContext<PublisherIndex>,
  principal: Principal,
  id: string,
): Promise<PublisherBinding> {
  const found = (await ctx.index.listPublishers()).find((b) => b.id === id);
  // Bindings outside the admin's prefix are reported absent, like repositories outside a prefix.
  if (!found || !managesPrefix(principal.adminPrefix, found.prefix))
    throw notFound('NAME_UNKNOWN', `no trusted publisher ${id.slice(0, 40)}`);
  return found;
}

export async function removePublisher(
  ctx: RegistryContext<PublisherIndex>,
  principal: Principal,
  id: string,
): Promise<ApiGatewayResult> {
  await findManaged(ctx, principal, id);
  await ctx.index.deletePublisher(id);
  return respond(204);
}

export async function publisherAudit(
  ctx: RegistryContext<PublisherIndex>,
  principal: Principal,
  id: string,
  query: URLSearchParams,
): Promise<ApiGatewayResult> {
  await findManaged(ctx, principal, id);
  const raw = query.get('limit') ?? '50';
  if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1)
    throw badRequest('UNSUPPORTED', 'limit must be a whole number from 1 to 100');
  const page = await ctx.index.listPublisherAudit(
    id,
    Math.min(Number(raw), 100),
    query.get('cursor') ?? undefined,
  );
  return json(200, { records: page.items, next: page.next ?? null });
}
