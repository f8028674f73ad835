/**
 * ObjectMeta validation (apimachinery ValidateObjectMeta / ValidateObjectMetaUpdate):
 * the name rule of the kind, namespace by scope, labels, annotations, owner references
 * and finalizers; on update, the identity fields that may not change.
 */
import type { FieldError } from '../errors.ts';
import { child, index, type FieldPath } from '../field-path.ts';
import { forbidden, invalidEach, invalidValue, NEGATIVE, required, tooLong } from '../field-errors.ts';
import { annotationsSize, isDNS1123Label, isQualifiedName, nameRuleFor, TOTAL_ANNOTATION_SIZE_LIMIT_BYTES, validateNameByRule } from '../names.ts';
import type { ResourceType } from '../resource-type.ts';
import type { ObjectMetaData, OwnerReferenceData } from '../types.ts';
import { validateImmutable, validateLabels } from './common.ts';

const META = 'metadata';

export function validateAnnotations(annotations: Record<string, string> | undefined, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  // Annotation keys are qualified names except that case does not matter.
  for (const k of Object.keys(annotations ?? {})) errors.push(...invalidEach(path, k, isQualifiedName(k.toLowerCase())));
  if (annotations && annotationsSize(annotations) > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) errors.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT_BYTES));
  return errors;
}

/** The version part of an apiVersion, as schema.ParseGroupVersion splits it ("" when malformed). */
function versionOf(apiVersion: string): string {
  const parts = apiVersion.split('/');
  if (parts.length === 1) return parts[0]!;
  return parts.length === 2 ? parts[1]! : '';
}

function validateOwnerReferences(refs: OwnerReferenceData[] | undefined, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  let firstController: string | undefined;
  for (const [i, ref] of (Array.isArray(refs) ? refs : []).entries()) {
    // A null or scalar entry is the schema's to report; there is nothing here to check.
    if (typeof ref !== 'object' || ref === null) {
      errors.push(invalidValue(index(path, i), ref, 'must be an object'));
      continue;
    }
    const apiVersion = ref.apiVersion ?? '';
    if (versionOf(apiVersion) === '') errors.push(invalidValue(child(path, 'apiVersion'), apiVersion, 'version must not be empty'));
    if (!ref.kind) errors.push(invalidValue(child(path, 'kind'), ref.kind ?? '', 'must not be empty'));
    if (!ref.name) errors.push(invalidValue(child(path, 'name'), ref.name ?? '', 'must not be empty'));
    if (!ref.uid) errors.push(invalidValue(child(path, 'uid'), ref.uid ?? '', 'must not be empty'));
    if (apiVersion === 'v1' && ref.kind === 'Event') errors.push(invalidValue(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    if (ref.controller) {
      const name = `${ref.kind ?? ''}/${ref.name ?? ''}`;
      if (firstController !== undefined) {
        errors.push(
          invalidValue(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${name}`),
        );
      } else {
        firstController = name;
      }
    }
  }
  return errors;
}

function validateFinalizers(finalizers: string[] | undefined, path: FieldPath): FieldError[] {
  const list = finalizers ?? [];
  const errors = list.flatMap((f) => invalidEach(path, f, isQualifiedName(f)));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errors.push(invalidValue(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errors;
}

/** Metadata of an object being created (or the new version of one being updated). */
export function validateObjectMeta(rt: ResourceType, meta: ObjectMetaData): FieldError[] {
  const errors: FieldError[] = [];
  const rule = nameRuleFor(rt);
  if (meta.generateName) {
    errors.push(...invalidEach(child(META, 'generateName'), meta.generateName, validateNameByRule(rule, meta.generateName, true)));
  }
  if (!meta.name) errors.push(required(child(META, 'name'), 'name or generateName is required'));
  else errors.push(...invalidEach(child(META, 'name'), meta.name, validateNameByRule(rule, meta.name)));
  errors.push(...validateObjectMetaCommon(rt, meta));
  return errors;
}

function validateObjectMetaCommon(rt: ResourceType, meta: ObjectMetaData): FieldError[] {
  const errors: FieldError[] = [];
  if (rt.namespaced) {
    if (!meta.namespace) errors.push(required(child(META, 'namespace')));
    else errors.push(...invalidEach(child(META, 'namespace'), meta.namespace, isDNS1123Label(meta.namespace)));
  } else if (meta.namespace) {
    errors.push(forbidden(child(META, 'namespace'), 'not allowed on this type'));
  }
  if (meta.generation !== undefined && meta.generation < 0) errors.push(invalidValue(child(META, 'generation'), meta.generation, NEGATIVE));
  errors.push(...validateLabels(meta.labels, child(META, 'labels')));
  errors.push(...validateAnnotations(meta.annotations, child(META, 'annotations')));
  errors.push(...validateOwnerReferences(meta.ownerReferences, child(META, 'ownerReferences')));
  errors.push(...validateFinalizers(meta.finalizers, child(META, 'finalizers')));
  return errors;
}

/** Go's %#v of a []string, as Kubernetes prints the finalizers it refuses. */
const goStringSlice = (values: string[]) => `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;

/** What an update may not do to metadata; the new metadata's own syntax is checked by validateObjectMeta. */
export function validateObjectMetaUpdate(meta: ObjectMetaData, old: ObjectMetaData): FieldError[] {
  const errors: FieldError[] = [];
  if (old.deletionTimestamp) {
    const added = [...new Set(meta.finalizers ?? [])].filter((f) => !(old.finalizers ?? []).includes(f)).sort();
    if (added.length > 0) {
      errors.push(
        forbidden(child(META, 'finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(added)}`),
      );
    }
  }
  if ((meta.generation ?? 0) < (old.generation ?? 0)) {
    errors.push(invalidValue(child(META, 'generation'), meta.generation ?? 0, 'must not be decremented'));
  }
  for (const field of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const) {
    errors.push(...validateImmutable(meta[field], old[field], child(META, field)));
  }
  return errors;
}
