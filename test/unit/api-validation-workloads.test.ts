import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { create, created, expectError, update } from '../support/validation.ts';

const template = (labels: Record<string, string> = { app: 'web' }, spec: Record<string, unknown> = {}) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'web', image: 'nginx' }], ...spec },
});
const selector = { matchLabels: { app: 'web' } };
const deployment = (spec: Record<string, unknown> = {}) => ({ spec: { selector, template: template(), ...spec } });

describe('Deployment validation', () => {
  it('accepts a valid deployment', () => assert.deepEqual(create('deployments.apps', deployment()), []));

  it('requires a selector', () => {
    expectError(create('deployments.apps', { spec: { template: template() } }), 'spec.selector', 'FieldValueRequired', 'Required value');
  });

  it('refuses an empty selector', () => {
    expectError(create('deployments.apps', deployment({ selector: {} })), 'spec.selector', 'FieldValueInvalid', 'Invalid value: {}: empty selector is invalid for deployment');
  });

  it('requires the selector to match the template labels', () => {
    expectError(
      create('deployments.apps', deployment({ template: template({ app: 'api' }) })),
      'spec.template.metadata.labels',
      'FieldValueInvalid',
      'Invalid value: {"app":"api"}: `selector` does not match template `labels`',
    );
  });

  it('refuses negative replicas', () => {
    expectError(create('deployments.apps', deployment({ replicas: -1 })), 'spec.replicas', 'FieldValueInvalid', 'Invalid value: -1: must be greater than or equal to 0');
  });

  it('checks the strategy type', () => {
    expectError(
      create('deployments.apps', deployment({ strategy: { type: 'BlueGreen' } })),
      'spec.strategy',
      'FieldValueNotSupported',
      'Unsupported value: {"type":"BlueGreen"}: supported values: "Recreate", "RollingUpdate"',
    );
  });

  it('refuses maxSurge and maxUnavailable both 0', () => {
    expectError(
      create('deployments.apps', deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } } })),
      'spec.strategy.rollingUpdate.maxUnavailable',
      'FieldValueInvalid',
      'Invalid value: "0%": may not be 0 when `maxSurge` is 0',
    );
  });

  it('refuses maxUnavailable above 100% and malformed percents', () => {
    const errors = create('deployments.apps', deployment({ strategy: { rollingUpdate: { maxUnavailable: '110%', maxSurge: 'lots' } } }));
    expectError(errors, 'spec.strategy.rollingUpdate.maxUnavailable', 'FieldValueInvalid', 'Invalid value: "110%": must not be greater than 100%');
    expectError(
      errors,
      'spec.strategy.rollingUpdate.maxSurge',
      'FieldValueInvalid',
      "Invalid value: \"lots\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    );
  });

  it('requires the template to restart Always', () => {
    expectError(
      create('deployments.apps', deployment({ template: template({ app: 'web' }, { restartPolicy: 'Never' }) })),
      'spec.template.spec.restartPolicy',
      'FieldValueNotSupported',
      'Unsupported value: "Never": supported values: "Always"',
    );
  });

  it('validates the template pod spec with its paths', () => {
    expectError(
      create('deployments.apps', deployment({ template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web' }] } } })),
      'spec.template.spec.containers[0].image',
      'FieldValueRequired',
      'Required value',
    );
  });

  it('keeps the selector immutable on update', () => {
    const old = created('deployments.apps', deployment());
    const errors = update('deployments.apps', old, (d) => {
      d.spec.selector = { matchLabels: { app: 'web', tier: 'x' } };
      d.spec.template.metadata.labels.tier = 'x';
    });
    expectError(errors, 'spec.selector', 'FieldValueInvalid', 'Invalid value: {"matchLabels":{"app":"web","tier":"x"}}: field is immutable');
    assert.deepEqual(update('deployments.apps', old, (d) => (d.spec.replicas = 5)), []);
  });
});

describe('ReplicaSet, StatefulSet, DaemonSet', () => {
  it('ReplicaSet: requires a selector that selects its template', () => {
    expectError(create('replicasets.apps', { spec: { template: template() } }), 'spec.selector', 'FieldValueRequired', 'Required value');
    expectError(
      create('replicasets.apps', { spec: { selector: { matchLabels: { app: 'x' } }, template: template() } }),
      'spec.template.metadata.labels',
      'FieldValueInvalid',
      'Invalid value: {"app":"web"}: `selector` does not match template `labels`',
    );
  });

  it('StatefulSet: accepts mounts of claim templates and refuses an empty selector', () => {
    const sts = {
      spec: {
        selector,
        serviceName: 'web',
        template: template({ app: 'web' }, { containers: [{ name: 'web', image: 'nginx', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] }),
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    };
    assert.deepEqual(create('statefulsets.apps', sts), []);
    expectError(create('statefulsets.apps', { spec: { ...sts.spec, selector: {} } }), 'spec.selector', 'FieldValueInvalid', 'Invalid value: {}: empty selector is invalid for statefulset');
  });

  it('StatefulSet: only replicas, template, updateStrategy and a few others may change', () => {
    const old = created('statefulsets.apps', { spec: { selector, serviceName: 'web', template: template() } });
    assert.deepEqual(update('statefulsets.apps', old, (s) => (s.spec.replicas = 3)), []);
    expectError(
      update('statefulsets.apps', old, (s) => (s.spec.serviceName = 'other')),
      'spec',
      'FieldValueForbidden',
      "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    );
  });

  it('StatefulSet: podManagementPolicy must be OrderedReady or Parallel', () => {
    expectError(
      create('statefulsets.apps', { spec: { selector, template: template(), podManagementPolicy: 'Random' } }),
      'spec.podManagementPolicy',
      'FieldValueInvalid',
      "Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
    );
  });

  it('DaemonSet: a rolling update cannot have both maxSurge and maxUnavailable at 0', () => {
    expectError(
      create('daemonsets.apps', { spec: { selector, template: template(), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } } }),
      'spec.updateStrategy.rollingUpdate.maxUnavailable',
      'FieldValueRequired',
      'Required value: cannot be 0 when maxSurge is 0',
    );
  });

  it('ReplicationController: selector defaults to the template labels', () => {
    assert.deepEqual(create('replicationcontrollers', { spec: { template: template() } }), []);
  });
});

describe('Job and CronJob validation', () => {
  const job = (spec: Record<string, unknown> = {}) => ({ spec: { template: template({ app: 'pi' }, { restartPolicy: 'Never' }), ...spec } });

  it('accepts a job once the server generated its selector', () => assert.deepEqual(create('jobs.batch', job()), []));

  it('requires restartPolicy OnFailure or Never (the template default, Always, is refused)', () => {
    expectError(
      create('jobs.batch', { spec: { template: template({ app: 'pi' }) } }),
      'spec.template.spec.restartPolicy',
      'FieldValueNotSupported',
      'Unsupported value: "Always": supported values: "OnFailure", "Never"',
    );
  });

  it('refuses negative completions and parallelism', () => {
    const errors = create('jobs.batch', job({ completions: -1, parallelism: -2 }));
    expectError(errors, 'spec.completions', 'FieldValueInvalid', 'Invalid value: -1: must be greater than or equal to 0');
    expectError(errors, 'spec.parallelism', 'FieldValueInvalid', 'Invalid value: -2: must be greater than or equal to 0');
  });

  it('requires a selector when manualSelector is set', () => {
    expectError(create('jobs.batch', job({ manualSelector: true })), 'spec.selector', 'FieldValueRequired', 'Required value');
  });

  it('keeps the template immutable', () => {
    const old = created('jobs.batch', job());
    const errors = update('jobs.batch', old, (j) => (j.spec.template.spec.containers[0].image = 'busybox'));
    assert.ok(errors.some((e) => e.field === 'spec.template' && e.type === 'FieldValueInvalid' && e.message.endsWith(': field is immutable')));
  });

  it('CronJob: requires a schedule and checks its syntax', () => {
    const cron = (schedule?: string) => ({ spec: { ...(schedule === undefined ? {} : { schedule }), jobTemplate: { spec: job().spec } } });
    assert.deepEqual(create('cronjobs.batch', cron('*/5 * * * *')), []);
    assert.deepEqual(create('cronjobs.batch', cron('@hourly')), []);
    expectError(create('cronjobs.batch', cron()), 'spec.schedule', 'FieldValueRequired', 'Required value');
    expectError(create('cronjobs.batch', cron('* * *')), 'spec.schedule', 'FieldValueInvalid', 'Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]');
    expectError(create('cronjobs.batch', cron('61 * * * *')), 'spec.schedule', 'FieldValueInvalid', 'Invalid value: "61 * * * *": end of range (61) above maximum (59): 61');
  });

  it('CronJob: names are at most 52 characters', () => {
    const errors = create('cronjobs.batch', { metadata: { name: 'a'.repeat(53), namespace: 'default' }, spec: { schedule: '@daily', jobTemplate: { spec: job().spec } } });
    expectError(errors, 'metadata.name', 'FieldValueInvalid', `Invalid value: "${'a'.repeat(53)}": must be no more than 52 characters`);
  });

  it('CronJob: concurrencyPolicy is Allow, Forbid or Replace', () => {
    expectError(
      create('cronjobs.batch', { spec: { schedule: '@daily', concurrencyPolicy: 'Sometimes', jobTemplate: { spec: job().spec } } }),
      'spec.concurrencyPolicy',
      'FieldValueNotSupported',
      'Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    );
  });
});
