/**
 * A Job's podFailurePolicy (Kubernetes' matchPodFailurePolicy): the first rule that
 * matches a failed pod decides: FailJob ends the Job with reason PodFailurePolicy, Ignore
 * does not count the failure against backoffLimit, Count counts it (as no match does).
 * FailIndex needs backoffLimitPerIndex, which jetkube does not implement; it counts.
 * Pure.
 */
import type { KubeObject } from '../../api/object.ts';

export interface PodFailurePolicyRule {
  action: 'FailJob' | 'Ignore' | 'Count' | 'FailIndex' | string;
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn' | string; values: number[] };
  onPodConditions?: { type: string; status?: string }[];
}

export interface PodFailurePolicy {
  rules?: PodFailurePolicyRule[];
}

export interface PolicyMatch {
  action?: PodFailurePolicyRule['action'];
  /** Whether the failure counts against backoffLimit. */
  countFailed: boolean;
  /** The Job's failure message when the action is FailJob. */
  failJobMessage?: string;
}

interface ContainerStatus {
  name?: string;
  state?: { terminated?: { exitCode?: number } };
}

function matchingContainer(pod: KubeObject, requirement: NonNullable<PodFailurePolicyRule['onExitCodes']>): { name: string; exitCode: number } | undefined {
  const status = (pod.status ?? {}) as { containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
  for (const c of [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])]) {
    const exitCode = c.state?.terminated?.exitCode;
    if (exitCode === undefined || exitCode === 0) continue;
    if (requirement.containerName !== undefined && requirement.containerName !== c.name) continue;
    const listed = requirement.values.includes(exitCode);
    if (requirement.operator === 'In' ? listed : requirement.operator === 'NotIn' ? !listed : false) return { name: c.name ?? '', exitCode };
  }
  return undefined;
}

function matchingCondition(pod: KubeObject, patterns: NonNullable<PodFailurePolicyRule['onPodConditions']>): string | undefined {
  const conditions = ((pod.status ?? {}) as { conditions?: { type?: string; status?: string }[] }).conditions ?? [];
  for (const pattern of patterns) {
    const found = conditions.find((c) => c.type === pattern.type && c.status === (pattern.status ?? 'True'));
    if (found) return pattern.type;
  }
  return undefined;
}

export function matchPodFailurePolicy(policy: PodFailurePolicy | undefined, pod: KubeObject): PolicyMatch {
  const rules = policy?.rules ?? [];
  const where = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index]!;
    let message: string | undefined;
    if (rule.onExitCodes) {
      const container = matchingContainer(pod, rule.onExitCodes);
      if (!container) continue;
      message = `Container ${container.name} for pod ${where} failed with exit code ${container.exitCode} matching ${rule.action} rule at index ${index}`;
    } else if (rule.onPodConditions) {
      const condition = matchingCondition(pod, rule.onPodConditions);
      if (!condition) continue;
      message = `Pod ${where} has condition ${condition} matching ${rule.action} rule at index ${index}`;
    } else {
      continue;
    }
    switch (rule.action) {
      case 'Ignore':
        return { action: 'Ignore', countFailed: false };
      case 'FailJob':
        return { action: 'FailJob', countFailed: true, failJobMessage: message };
      default:
        return { action: rule.action, countFailed: true };
    }
  }
  return { countFailed: true };
}
