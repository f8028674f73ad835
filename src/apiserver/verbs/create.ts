/**
 * create: decode, prepare (uid, timestamps, generateName), default, admit (the mutating
 * plugins), validate, admit (the validating plugins), then append ADDED with the subject's last sequence as the expected one. That sequence is 0
 * for a name never used and the tombstone's sequence after a delete, so creating again
 * after a delete is the same compare-and-set. A lost race re-reads: the winner may have
 * created the object (409 AlreadyExists) or deleted it (try again).
 */
import { alreadyExists, conflict, invalid } from '../../api/errors.ts';
import type { KubeObject, ObjectKey } from '../../api/object.ts';
import type { AdmissionAttributes } from '../../admission/plugin.ts';
import { applyDefaults } from '../../api/defaults.ts';
import { prepareCreate, randomNameSuffix } from '../../api/metadata.ts';
import { validateObject } from '../../api/validation.ts';
import { withManagedFields } from '../../api/managed-fields.ts';
import type { ResourceType } from '../../api/resource-type.ts';
import { schemaFor } from '../../api/schema/index.ts';
import { appliedCreatorEntries } from '../../api/server-side-apply.ts';
import { fieldManagerOf, recordWrite } from '../field-manager.ts';
import { timestamp, type ApiDeps } from '../deps.ts';
import { readIncomingObject } from '../incoming.ts';
import type { ApiReply, ApiRequest } from '../request.ts';
import { objectKey, resolveResource, withResourceVersion } from '../resolve.ts';
import { appendChange, MAX_WRITE_ATTEMPTS } from '../write.ts';
import { storeWithAllocations } from '../service-allocation.ts';

/** generateName collisions are retried with a new suffix this many times, as Kubernetes does. */
const GENERATE_NAME_ATTEMPTS = 8;

export async function create(deps: ApiDeps, request: ApiRequest): Promise<ApiReply> {
  const rt = resolveResource(request);
  const { object: incoming, warnings } = readIncomingObject(rt, request);
  const generated = !incoming.metadata.name && !!incoming.metadata.generateName;
  const admissionWarnings: string[] = [];

  for (let nameAttempt = 1; ; nameAttempt++) {
    const now = timestamp(deps.now());
    const prepared = prepareCreate(rt, incoming, {
      now,
      uid: deps.newUid(),
      nameSuffix: randomNameSuffix(deps.random),
    });
    const defaulted = applyDefaults(rt, prepared);
    const name = defaulted.metadata.name ?? '';
    admissionWarnings.length = 0;
    const attributes: AdmissionAttributes = {
      operation: 'CREATE',
      resource: rt,
      namespace: defaulted.metadata.namespace ?? '',
      name,
      object: defaulted,
      user: request.user,
      dryRun: request.options?.dryRun === true,
      warn: (message) => admissionWarnings.push(message),
    };
    const mutated = deps.admission.admit(attributes, deps);
    const object = withCreator(rt, incoming, mutated instanceof Promise ? await mutated : mutated, request, now);
    const errors = validateObject(rt, object);
    if (errors.length > 0) throw invalid(rt.kind, rt.group, name, errors);
    await deps.admission.validate({ ...attributes, object }, deps);
    if (request.options?.dryRun) return { ok: true, body: object, code: 201, warnings: [...warnings, ...admissionWarnings] };

    const key = objectKey(rt, request, name);
    const stored = await storeWithAllocations(deps, rt.key, object, (toStore) => appendNew(deps, key, toStore, request.requestId));
    if (stored) return { ok: true, body: await answerFor(deps, key, object, stored), code: 201, warnings: [...warnings, ...admissionWarnings] };
    if (!generated || nameAttempt >= GENERATE_NAME_ATTEMPTS) throw alreadyExists(rt.plural, rt.group, name);
  }
}

/**
 * The creator owns what it wrote: every field it set (Operation Update) or, for a
 * server-side apply that creates, exactly its applied configuration (Operation Apply).
 */
function withCreator(rt: ResourceType, incoming: KubeObject, object: KubeObject, request: ApiRequest, now: string): KubeObject {
  if (request.patchType !== 'apply') return recordWrite(rt, undefined, object, request, now);
  return withManagedFields(object, appliedCreatorEntries(incoming, schemaFor(rt), { manager: fieldManagerOf(request), now, apiVersion: rt.apiVersion }));
}

/** Where the object was stored, or undefined when its name is taken. */
async function appendNew(deps: ApiDeps, key: ObjectKey, object: KubeObject, requestId?: string): Promise<Stored | undefined> {
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const exists = deps.store.get(key.resource, key.namespace, key.name) !== undefined;
    // A retried request may find its own earlier write. The log checks the request id
    // before the expected sequence, so appending anyway, expecting an empty subject (which
    // it is not), answers "duplicate" for our own write and fails for anyone else's.
    if (exists && !requestId) return undefined;
    const expected = exists ? 0 : deps.store.subjectSeq(key);
    const outcome = await appendChange(deps, key, 'ADDED', object, expected, requestId);
    if (outcome.written) return outcome;
    if (exists) return undefined;
    await deps.reads.atLeast(outcome.currentSeq);
  }
  throw conflict(key.resource, '', key.name, 'too many concurrent writers; try again');
}

type Stored = { seq: number; duplicate: boolean; stored: KubeObject };

/**
 * A retried request that the log had already applied answers with what was stored then,
 * not with the object this attempt built (its uid and timestamps differ).
 */
async function answerFor(deps: ApiDeps, key: ObjectKey, object: KubeObject, stored: Stored): Promise<KubeObject> {
  if (!stored.duplicate) return stored.stored;
  await deps.reads.atLeast(stored.seq);
  return deps.store.get(key.resource, key.namespace, key.name) ?? withResourceVersion(object, stored.seq);
}
