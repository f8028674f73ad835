/**
 * Cluster-level and bookkeeping kinds: Namespace finalizers, Node taints and pod CIDRs
 * (set once), Lease durations, Events (both APIs), ResourceQuota and LimitRange bounds.
 */
import type { FieldError } from '../errors.ts';
import { child, index, key } from '../field-path.ts';
import { duplicate, forbidden, invalidEach, invalidStringer, invalidValue, NEGATIVE, required } from '../field-errors.ts';
import { isLabelValue, isQualifiedName } from '../names.ts';
import { compareQuantities, parseQuantity } from '../quantity.ts';
import type { EventsV1Event, Event, LimitRange, Lease, Namespace, Node, ResourceQuota } from '../types.ts';
import { eachResource, isCIDR, validateLabelName, validateResourceQuantity } from './common.ts';

export function validateNamespace(namespace: Namespace): FieldError[] {
  return (namespace.spec?.finalizers ?? []).flatMap((f) => invalidEach(child('spec', 'finalizers'), f, isQualifiedName(f)));
}


export function validateNode(node: Node): FieldError[] {
  const spec = node.spec ?? {};
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  (spec.taints ?? []).forEach((taint, i) => {
    const at = index(child('spec', 'taints'), i);
    errors.push(...validateLabelName(taint.key ?? '', child(at, 'key')));
    const valueErrors = isLabelValue(taint.value ?? '');
    if (valueErrors.length > 0) errors.push(invalidValue(child(at, 'value'), taint.value ?? '', valueErrors.join(';')));
    if (!taint.effect) errors.push(required(child(at, 'effect')));
    const id = `${taint.key ?? ''}:${taint.effect ?? ''}`;
    if (seen.has(id)) errors.push(duplicate(at, taint));
    seen.add(id);
  });
  const cidrs = spec.podCIDRs ?? [];
  cidrs.forEach((cidr, i) => {
    if (!isCIDR(cidr)) errors.push(invalidValue(index(child('spec', 'podCIDRs'), i), cidr, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
  });
  if (cidrs.length > 2) errors.push(invalidValue(child('spec', 'podCIDRs'), cidrs, 'may specify no more than one CIDR for each IP family'));
  return errors;
}

/** Pod CIDRs and the provider ID are assigned once (from "" to a value) and then fixed. */
export function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errors: FieldError[] = [];
  const oldCIDRs = old.spec?.podCIDRs ?? [];
  const cidrs = node.spec?.podCIDRs ?? [];
  if (oldCIDRs.length > 0 && (oldCIDRs.length !== cidrs.length || oldCIDRs.some((c, i) => c !== cidrs[i]))) {
    errors.push(forbidden(child('spec', 'podCIDRs'), 'node updates may not change podCIDR except from "" to valid'));
  }
  const oldProvider = old.spec?.providerID ?? '';
  if (oldProvider && oldProvider !== (node.spec?.providerID ?? '')) {
    errors.push(forbidden(child('spec', 'providerID'), 'node updates may not change providerID except from "" to valid'));
  }
  return errors;
}

export function validateLease(lease: Lease): FieldError[] {
  const spec = lease.spec ?? {};
  const errors: FieldError[] = [];
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
    errors.push(invalidValue(child('spec', 'leaseDurationSeconds'), spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) {
    errors.push(invalidValue(child('spec', 'leaseTransitions'), spec.leaseTransitions, NEGATIVE));
  }
  return errors;
}

const REPORTING_INSTANCE_MAX = 128;
const ACTION_MAX = 128;
const REASON_MAX = 128;
const NOTE_MAX = 1024;

/** Events written with the newer fields (an eventTime) must say who reported what. */
function validateReportedEvent(fields: { controller?: string; controllerField: string; instance?: string; action?: string; reason?: string; note?: string; noteField: string }): FieldError[] {
  const errors: FieldError[] = [];
  const { controller = '', instance = '', action = '', reason = '', note = '' } = fields;
  if (!controller) errors.push(required(fields.controllerField));
  errors.push(...invalidEach(fields.controllerField, controller, isQualifiedName(controller)));
  if (!instance) errors.push(required('reportingInstance'));
  if (instance.length > REPORTING_INSTANCE_MAX) errors.push(invalidValue('reportingInstance', '', `can have at most ${REPORTING_INSTANCE_MAX} characters`));
  if (!action) errors.push(required('action'));
  if (action.length > ACTION_MAX) errors.push(invalidValue('action', '', `can have at most ${ACTION_MAX} characters`));
  if (!reason) errors.push(required('reason'));
  if (reason.length > REASON_MAX) errors.push(invalidValue('reason', '', `can have at most ${REASON_MAX} characters`));
  if (note.length > NOTE_MAX) errors.push(invalidValue(fields.noteField, '', `can have at most ${NOTE_MAX} characters`));
  return errors;
}

/** core/v1 Event (legacyValidateEvent): the involved object lives in the event's namespace. */
export function validateEvent(event: Event): FieldError[] {
  const errors: FieldError[] = [];
  const namespace = event.metadata?.namespace ?? '';
  const involvedNamespace = event.involvedObject?.namespace ?? '';
  const path = child('involvedObject', 'namespace');
  if (!event.eventTime) {
    if (involvedNamespace ? namespace !== involvedNamespace : namespace !== '' && namespace !== 'default') {
      errors.push(invalidValue(path, involvedNamespace, 'does not match event.namespace'));
    }
  } else {
    if (!involvedNamespace && namespace !== 'default' && namespace !== 'kube-system') errors.push(invalidValue(path, involvedNamespace, 'does not match event.namespace'));
    errors.push(
      ...validateReportedEvent({
        controller: event.reportingComponent,
        controllerField: 'reportingComponent',
        instance: event.reportingInstance,
        action: event.action,
        reason: event.reason,
        note: event.message,
        noteField: 'message',
      }),
    );
  }
  return errors;
}

/** events.k8s.io/v1 Event: always the newer shape, with the deprecated fields left empty. */
export function validateEventsV1Event(event: EventsV1Event): FieldError[] {
  const errors: FieldError[] = [];
  if (!event.eventTime) errors.push(required('eventTime'));
  if (event.type !== 'Normal' && event.type !== 'Warning') errors.push(invalidValue('type', '', `has invalid value: ${event.type ?? ''}`));
  for (const field of ['deprecatedFirstTimestamp', 'deprecatedLastTimestamp', 'deprecatedCount', 'deprecatedSource'] as const) {
    if (event[field] !== undefined) errors.push(invalidValue(field, '', 'needs to be unset'));
  }
  const namespace = event.metadata?.namespace ?? '';
  if (!event.regarding?.namespace && namespace !== 'default' && namespace !== 'kube-system') {
    errors.push(invalidValue(child('regarding', 'namespace'), event.regarding?.namespace ?? '', 'does not match event.namespace'));
  }
  errors.push(
    ...validateReportedEvent({
      controller: event.reportingController,
      controllerField: 'reportingController',
      instance: event.reportingInstance,
      action: event.action,
      reason: event.reason,
      note: event.note,
      noteField: 'note',
    }),
  );
  return errors;
}

export function validateResourceQuota(quota: ResourceQuota): FieldError[] {
  const check = (name: string, value: string | number, at: string) => [
    ...invalidEach(at, name, isQualifiedName(name)),
    ...validateResourceQuantity(name, value, at),
  ];
  return [...eachResource(quota.spec?.hard, child('spec', 'hard'), check), ...eachResource(quota.status?.hard, child('status', 'hard'), check), ...eachResource(quota.status?.used, child('status', 'used'), check)];
}

/** LimitRange reports the Quantity itself, which Go prints unquoted. */
const quantityError = (path: string, value: string | number, detail: string) => invalidStringer(path, String(value), detail);

export function validateLimitRange(limitRange: LimitRange): FieldError[] {
  const errors: FieldError[] = [];
  (limitRange.spec?.limits ?? []).forEach((limit, i) => {
    const at = index(child('spec', 'limits'), i);
    if (!limit.type) errors.push(required(child(at, 'type')));
    const { max = {}, min = {}, default: defaults = {}, defaultRequest = {} } = limit;
    for (const field of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const) {
      errors.push(...eachResource(limit[field], child(at, field), (name, value, p) => validateResourceQuantity(name, value, p)));
    }
    const names = new Set([...Object.keys(max), ...Object.keys(min), ...Object.keys(defaults), ...Object.keys(defaultRequest)]);
    const greater = (a: string | number | undefined, b: string | number | undefined) => a !== undefined && b !== undefined && compareQuantities(a, b) === 1;
    for (const name of names) {
      const [lo, hi, def, req] = [min[name], max[name], defaults[name], defaultRequest[name]];
      if (greater(lo, hi)) errors.push(quantityError(key(child(at, 'min'), name), lo!, `min value ${lo} is greater than max value ${hi}`));
      if (greater(lo, req)) errors.push(quantityError(key(child(at, 'defaultRequest'), name), req!, `min value ${lo} is greater than default request value ${req}`));
      if (greater(req, hi)) errors.push(quantityError(key(child(at, 'defaultRequest'), name), req!, `default request value ${req} is greater than max value ${hi}`));
      if (greater(req, def)) errors.push(quantityError(key(child(at, 'defaultRequest'), name), req!, `default request value ${req} is greater than default limit value ${def}`));
      if (greater(lo, def)) errors.push(quantityError(key(child(at, 'default'), name), lo!, `min value ${lo} is greater than default value ${def}`));
      if (greater(def, hi)) errors.push(quantityError(key(child(at, 'default'), name), hi!, `default value ${def} is greater than max value ${hi}`));
    }
    for (const [name, ratio] of Object.entries(limit.maxLimitRequestRatio ?? {})) {
      const nanos = parseQuantity(ratio);
      if (nanos !== undefined && nanos < 1_000_000_000n) {
        errors.push(quantityError(key(child(at, 'maxLimitRequestRatio'), name), ratio, `ratio ${ratio} is less than 1`));
      }
    }
  });
  return errors;
}
