/**
 * batch/v1: Job and CronJob. A job's selector must select its template (the API server
 * generates both unless manualSelector), its pods restart OnFailure or Never, and most of
 * its spec is fixed once created. A CronJob needs a schedule and a job template whose
 * selector is left to the server.
 */
import type { FieldError } from '../errors.ts';
import { child, type FieldPath } from '../field-path.ts';
import { invalidValue, notSupported, required } from '../field-errors.ts';
import type { CronJob, Job, JobSpec } from '../types.ts';
import { labelSelectorMatches } from '../selectors.ts';
import { validateImmutable, validateLabels, validateLabelSelector } from './common.ts';
import { cronScheduleError } from './cron.ts';
import { validatePodTemplateSpec } from './pod.ts';

/** Job names become label values and pod name prefixes; CronJobs add an 11-character suffix to theirs. */
const CRONJOB_NAME_MAX_LENGTH = 52;

function validateJobSpec(spec: JobSpec, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if (spec.completionMode === 'Indexed' && spec.completions === undefined) {
    errors.push(required(child(path, 'completions'), 'when completion mode is Indexed'));
  }
  errors.push(...validatePodTemplateSpec(spec.template, child(path, 'template')));
  const policy = spec.template?.spec?.restartPolicy;
  if (policy !== 'OnFailure' && policy !== 'Never') {
    errors.push(notSupported(child(path, 'template', 'spec', 'restartPolicy'), policy ?? '', ['OnFailure', 'Never']));
  }
  return errors;
}

export function validateJob(job: Job): FieldError[] {
  const spec = job.spec ?? {};
  const errors: FieldError[] = [];
  if (!spec.selector) errors.push(required(child('spec', 'selector')));
  else {
    errors.push(...validateLabelSelector(spec.selector, child('spec', 'selector')));
    const labels = spec.template?.metadata?.labels ?? {};
    if (!labelSelectorMatches(spec.selector, labels)) {
      errors.push(invalidValue(child('spec', 'template', 'metadata', 'labels'), labels, '`selector` does not match template `labels`'));
    }
  }
  errors.push(...validateJobSpec(spec, 'spec'));
  return errors;
}

export function validateJobUpdate(job: Job, old: Job): FieldError[] {
  const spec = job.spec ?? {};
  const oldSpec = old.spec ?? {};
  return (['completions', 'selector', 'template', 'completionMode', 'podFailurePolicy', 'backoffLimitPerIndex'] as const).flatMap((field) =>
    validateImmutable(spec[field], oldSpec[field], child('spec', field)),
  );
}

export function validateCronJob(cronJob: CronJob): FieldError[] {
  const errors: FieldError[] = [];
  const name = cronJob.metadata?.name ?? '';
  if (name.length > CRONJOB_NAME_MAX_LENGTH) {
    errors.push(invalidValue(child('metadata', 'name'), name, `must be no more than ${CRONJOB_NAME_MAX_LENGTH} characters`));
  }
  const spec = cronJob.spec ?? {};
  const schedulePath = child('spec', 'schedule');
  if (!spec.schedule) errors.push(required(schedulePath));
  else {
    const error = cronScheduleError(spec.schedule);
    if (error) errors.push(invalidValue(schedulePath, spec.schedule, error));
    else if (spec.schedule.includes('TZ')) errors.push(invalidValue(schedulePath, spec.schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  const jobSpecPath = child('spec', 'jobTemplate', 'spec');
  const jobSpec = spec.jobTemplate?.spec ?? {};
  errors.push(...validateLabels(spec.jobTemplate?.metadata?.labels, child('spec', 'jobTemplate', 'metadata', 'labels')));
  errors.push(...validateJobSpec(jobSpec, jobSpecPath));
  if (jobSpec.selector) errors.push(invalidValue(child(jobSpecPath, 'selector'), jobSpec.selector, '`selector` will be auto-generated'));
  if (jobSpec.manualSelector === true) errors.push(notSupported(child(jobSpecPath, 'manualSelector'), true, ['nil', 'false']));
  return errors;
}
