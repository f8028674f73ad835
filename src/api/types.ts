/**
 * TypeScript types of the built-in kinds, derived from their schemas (schema/), so the
 * field list exists once. They describe objects that passed the structural checks, with
 * every field optional as in the wire format.
 */
import type { Infer } from './schema/dsl.ts';
import type * as apps from './schema/apps.ts';
import type * as batch from './schema/batch.ts';
import type * as container from './schema/core-container.ts';
import type * as core from './schema/core.ts';
import type * as storage from './schema/core-storage.ts';
import type * as meta from './schema/meta.ts';
import type * as misc from './schema/misc.ts';
import type * as networking from './schema/networking.ts';
import type * as pod from './schema/core-pod.ts';
import type * as rbac from './schema/rbac.ts';
import type * as volume from './schema/core-volume.ts';

export type ObjectMetaData = Infer<typeof meta.ObjectMeta>;
export type LabelSelectorData = Infer<typeof meta.LabelSelector>;
export type OwnerReferenceData = Infer<typeof meta.OwnerReference>;

export type Container = Infer<typeof container.Container>;
export type ContainerPort = Infer<typeof container.ContainerPort>;
export type EnvVar = Infer<typeof container.EnvVar>;
export type Probe = Infer<typeof container.Probe>;
export type LifecycleHandler = Infer<typeof container.LifecycleHandler>;
export type ResourceRequirements = Infer<typeof container.ResourceRequirements>;
export type VolumeMount = Infer<typeof container.VolumeMount>;
export type Volume = Infer<typeof volume.Volume>;
export type KeyToPath = Infer<typeof volume.KeyToPath>;
export type PersistentVolumeClaimSpec = Infer<typeof volume.PersistentVolumeClaimSpec>;

export type PodSpec = Infer<typeof pod.PodSpec>;
export type PodTemplateSpec = Infer<typeof pod.PodTemplateSpec>;
export type PodStatus = Infer<typeof pod.PodStatus>;
export type Toleration = Infer<typeof pod.Toleration>;
export type NodeSelectorRequirement = Infer<typeof pod.NodeSelectorRequirement>;
export type Pod = Infer<typeof pod.Pod>;

export type Namespace = Infer<typeof core.Namespace>;
export type Node = Infer<typeof core.Node>;
export type Service = Infer<typeof core.Service>;
export type ServicePort = Infer<typeof core.ServicePort>;
export type Endpoints = Infer<typeof core.Endpoints>;
export type ConfigMap = Infer<typeof core.ConfigMap>;
export type Secret = Infer<typeof core.Secret>;
export type ServiceAccount = Infer<typeof core.ServiceAccount>;
export type Event = Infer<typeof core.Event>;
export type PersistentVolume = Infer<typeof storage.PersistentVolume>;
export type PersistentVolumeClaim = Infer<typeof storage.PersistentVolumeClaim>;
export type ResourceQuota = Infer<typeof core.ResourceQuota>;
export type LimitRange = Infer<typeof core.LimitRange>;
export type ReplicationController = Infer<typeof core.ReplicationController>;

export type Deployment = Infer<typeof apps.Deployment>;
export type ReplicaSet = Infer<typeof apps.ReplicaSet>;
export type StatefulSet = Infer<typeof apps.StatefulSet>;
export type DaemonSet = Infer<typeof apps.DaemonSet>;
export type ControllerRevision = Infer<typeof apps.ControllerRevision>;

export type Job = Infer<typeof batch.Job>;
export type JobSpec = Infer<typeof batch.JobSpec>;
export type CronJob = Infer<typeof batch.CronJob>;

export type Ingress = Infer<typeof networking.Ingress>;
export type IngressBackend = Infer<typeof networking.IngressBackend>;
export type IngressClass = Infer<typeof networking.IngressClass>;
export type NetworkPolicy = Infer<typeof networking.NetworkPolicy>;

export type Role = Infer<typeof rbac.Role>;
export type ClusterRole = Infer<typeof rbac.ClusterRole>;
export type RoleBinding = Infer<typeof rbac.RoleBinding>;
export type ClusterRoleBinding = Infer<typeof rbac.ClusterRoleBinding>;
export type PolicyRule = Infer<typeof rbac.PolicyRule>;
export type Subject = Infer<typeof rbac.Subject>;

export type Lease = Infer<typeof misc.Lease>;
export type EndpointSlice = Infer<typeof misc.EndpointSlice>;
export type EventsV1Event = Infer<typeof misc.EventsV1Event>;
export type StorageClass = Infer<typeof misc.StorageClass>;
export type HorizontalPodAutoscaler = Infer<typeof misc.HorizontalPodAutoscaler>;
export type HPAScalingRules = Infer<typeof misc.HPAScalingRules>;
export type PodDisruptionBudget = Infer<typeof misc.PodDisruptionBudget>;
