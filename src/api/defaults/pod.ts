/**
 * Pod defaults (core/v1 SetDefaults_Pod, _PodSpec, _Container, _Probe, _Volume, ...).
 * PodSpec defaults apply to every pod template too; the Pod-only ones (requests from
 * limits, enableServiceLinks, host ports under hostNetwork) only to Pods, as in Kubernetes.
 */
import { VOLUME_SOURCES } from '../schema/core-volume.ts';
import { ensureObject, objectAt, objectsAt, setDefault, type Obj } from './kit.ts';

/** 0644: the file mode of projected keys. */
const DEFAULT_FILE_MODE = 0o644;

/**
 * Always pull `:latest` (and untagged, which means latest); otherwise pull if absent.
 * A digest without a tag, or a reference that does not parse, counts as tagged.
 */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const [name = '', digest] = image.split('@');
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > lastSlash ? name.slice(colon + 1) : '';
  const repository = colon > lastSlash ? name.slice(0, colon) : name;
  if (!repository || /[A-Z]/.test(repository.slice(lastSlash + 1))) return 'IfNotPresent';
  if (tag === 'latest') return 'Always';
  return tag === '' && digest === undefined ? 'Always' : 'IfNotPresent';
}

function defaultHttpGet(action: Obj | undefined): void {
  setDefault(action, 'path', '/');
  setDefault(action, 'scheme', 'HTTP');
}

function defaultProbe(probe: Obj | undefined): void {
  if (!probe) return;
  setDefault(probe, 'timeoutSeconds', 1);
  setDefault(probe, 'periodSeconds', 10);
  setDefault(probe, 'successThreshold', 1);
  setDefault(probe, 'failureThreshold', 3);
  defaultHttpGet(objectAt(probe, 'httpGet'));
}

function defaultContainer(container: Obj): void {
  if (typeof container.image === 'string') setDefault(container, 'imagePullPolicy', defaultPullPolicy(container.image));
  setDefault(container, 'terminationMessagePath', '/dev/termination-log');
  setDefault(container, 'terminationMessagePolicy', 'File');
  for (const port of objectsAt(container, 'ports')) setDefault(port, 'protocol', 'TCP');
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(objectAt(container, probe));
  for (const hook of ['postStart', 'preStop']) defaultHttpGet(objectAt(container, 'lifecycle', hook, 'httpGet'));
  for (const env of objectsAt(container, 'env')) setDefault(objectAt(env, 'valueFrom', 'fieldRef'), 'apiVersion', 'v1');
}

function defaultVolume(volume: Obj): void {
  if (!VOLUME_SOURCES.some((source) => volume[source] !== undefined && volume[source] !== null)) volume.emptyDir = {};
  for (const source of ['secret', 'configMap', 'downwardAPI', 'projected']) setDefault(objectAt(volume, source), 'defaultMode', DEFAULT_FILE_MODE);
  setDefault(objectAt(volume, 'hostPath'), 'type', '');
  for (const item of objectsAt(objectAt(volume, 'downwardAPI'), 'items')) setDefault(objectAt(item, 'fieldRef'), 'apiVersion', 'v1');
  setDefault(objectAt(volume, 'ephemeral', 'volumeClaimTemplate', 'spec'), 'volumeMode', 'Filesystem');
}

export function defaultPodSpec(spec: Obj | undefined): void {
  if (!spec) return;
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'schedulerName', 'default-scheduler');
  ensureObject(spec, 'securityContext');
  // serviceAccount is the deprecated spelling of serviceAccountName; each fills the other.
  if (typeof spec.serviceAccountName === 'string') setDefault(spec, 'serviceAccount', spec.serviceAccountName);
  else if (typeof spec.serviceAccount === 'string') setDefault(spec, 'serviceAccountName', spec.serviceAccount);
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) objectsAt(spec, list).forEach(defaultContainer);
  objectsAt(spec, 'volumes').forEach(defaultVolume);
}

export function defaultPodTemplate(template: Obj | undefined): void {
  defaultPodSpec(objectAt(template, 'spec'));
}

/** A container that states limits but no requests requests its limits (Pods only, not templates). */
function requestsFromLimits(container: Obj): void {
  const resources = objectAt(container, 'resources');
  const limits = objectAt(resources, 'limits');
  if (!limits || Object.keys(limits).length === 0) return;
  const requests = ensureObject(resources, 'requests');
  for (const [name, value] of Object.entries(limits)) setDefault(requests, name, value);
}

export function defaultPod(pod: Obj): void {
  const spec = objectAt(pod, 'spec');
  if (!spec) return;
  defaultPodSpec(spec);
  for (const list of ['containers', 'initContainers']) objectsAt(spec, list).forEach(requestsFromLimits);
  setDefault(spec, 'enableServiceLinks', true);
  if (spec.hostNetwork === true) {
    for (const list of ['containers', 'initContainers']) {
      for (const container of objectsAt(spec, list)) {
        for (const port of objectsAt(container, 'ports')) {
          if (!port.hostPort && typeof port.containerPort === 'number') port.hostPort = port.containerPort;
        }
      }
    }
  }
}
