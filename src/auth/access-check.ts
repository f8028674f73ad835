/**
 * For the HTTP face's paths that do not run through the pipeline's verbs (pods/log,
 * /metrics): ask the pipeline a SubjectAccessReview as the trusted face, and turn a "no"
 * into Kubernetes' 403, so these paths obey the same RBAC as the rest.
 */
import { forbidden } from '../api/errors.ts';
import type { Pipeline } from '../apiserver/pipeline.ts';
import type { Attributes, NonResourceAttributes, ResourceAttributes, UserInfo } from './attributes.ts';
import { isResourceRequest } from './attributes.ts';
import { forbiddenMessage } from './rbac.ts';
import { SUBJECT_ACCESS } from './reviews.ts';

export async function checkAccess(pipeline: Pipeline, user: UserInfo, attributes: Omit<ResourceAttributes, 'user'> | Omit<NonResourceAttributes, 'user'>): Promise<void> {
  const full = { user, ...attributes } as Attributes;
  const spec = isResourceRequest(full)
    ? {
        resourceAttributes: {
          verb: full.verb,
          group: full.apiGroup,
          resource: full.resource,
          ...(full.subresource ? { subresource: full.subresource } : {}),
          ...(full.namespace ? { namespace: full.namespace } : {}),
          ...(full.name ? { name: full.name } : {}),
        },
      }
    : { nonResourceAttributes: { verb: full.verb, path: full.path } };
  const reply = await pipeline.handle({ verb: 'create', resource: SUBJECT_ACCESS, body: { spec: { ...spec, user: user.name, groups: user.groups } } });
  const allowed = reply.ok && (reply.body as { status?: { allowed?: boolean } }).status?.allowed === true;
  if (!allowed) {
    throw forbidden(forbiddenMessage(full), isResourceRequest(full) ? { ...(full.name ? { name: full.name } : {}), group: full.apiGroup, kind: full.resource } : undefined);
  }
}
