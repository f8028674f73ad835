/**
 * Table printers of the workload kinds, with kubectl's columns: deployments, replica sets,
 * replication controllers, stateful sets, daemon sets, jobs and cron jobs. The wide
 * columns (CONTAINERS IMAGES SELECTOR) come from the pod template. Pure.
 */
import type { KubeObject } from '../api/object.ts';
import {
  age,
  at,
  col,
  containersAndImages,
  duration,
  formatLabels,
  formatSelector,
  list,
  nameColumn,
  none,
  num,
  since,
  str,
  wide,
  type Printer,
} from './table-kit.ts';

const TEMPLATE_COLUMNS = [wide('Containers'), wide('Images'), wide('Selector')];

function templateCells(object: KubeObject, podSpec = at(object, 'spec', 'template', 'spec'), selector = at(object, 'spec', 'selector')) {
  const [containers, images] = containersAndImages(podSpec);
  return [containers, images, formatSelector(selector)];
}

const name = (o: KubeObject) => o.metadata.name ?? '';
const replicas = (o: KubeObject) => num(at(o, 'spec', 'replicas'), 1);
const statusCount = (o: KubeObject, field: string) => num(at(o, 'status', field));

export const deploymentPrinter: Printer = {
  columns: [nameColumn(), col('Ready'), col('Up-to-date', 'integer'), col('Available', 'integer'), col('Age'), ...TEMPLATE_COLUMNS],
  cells: (d, now) => [
    name(d),
    `${statusCount(d, 'readyReplicas')}/${replicas(d)}`,
    statusCount(d, 'updatedReplicas'),
    statusCount(d, 'availableReplicas'),
    age(d, now),
    ...templateCells(d),
  ],
};

/** ReplicaSets and ReplicationControllers share one layout (an RC's selector is a plain map). */
function replicaPrinter(selectorOf: (o: KubeObject) => string): Printer {
  return {
    columns: [nameColumn(), col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), col('Age'), ...TEMPLATE_COLUMNS],
    cells: (o, now) => {
      const [containers, images] = containersAndImages(at(o, 'spec', 'template', 'spec'));
      return [name(o), replicas(o), statusCount(o, 'replicas'), statusCount(o, 'readyReplicas'), age(o, now), containers, images, selectorOf(o)];
    },
  };
}

export const replicaSetPrinter = replicaPrinter((o) => formatSelector(at(o, 'spec', 'selector')));
export const replicationControllerPrinter = replicaPrinter((o) => formatLabels(at(o, 'spec', 'selector')));

export const statefulSetPrinter: Printer = {
  columns: [nameColumn(), col('Ready'), col('Age'), wide('Containers'), wide('Images')],
  cells: (s, now) => [name(s), `${statusCount(s, 'readyReplicas')}/${replicas(s)}`, age(s, now), ...containersAndImages(at(s, 'spec', 'template', 'spec'))],
};

export const daemonSetPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Desired', 'integer'),
    col('Current', 'integer'),
    col('Ready', 'integer'),
    col('Up-to-date', 'integer'),
    col('Available', 'integer'),
    col('Node Selector'),
    col('Age'),
    ...TEMPLATE_COLUMNS,
  ],
  cells: (d, now) => [
    name(d),
    statusCount(d, 'desiredNumberScheduled'),
    statusCount(d, 'currentNumberScheduled'),
    statusCount(d, 'numberReady'),
    statusCount(d, 'updatedNumberScheduled'),
    statusCount(d, 'numberAvailable'),
    formatLabels(at(d, 'spec', 'template', 'spec', 'nodeSelector')),
    age(d, now),
    ...templateCells(d),
  ],
};

function jobStatus(job: KubeObject): string {
  const conditions = list(at(job, 'status', 'conditions')).filter((c) => at(c, 'status') === 'True');
  const has = (type: string) => conditions.some((c) => at(c, 'type') === type);
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (has('FailureTarget')) return 'FailureTarget';
  if (has('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (has('Suspended')) return 'Suspended';
  return 'Running';
}

function jobCompletions(job: KubeObject): string {
  const succeeded = statusCount(job, 'succeeded');
  const completions = at(job, 'spec', 'completions');
  if (typeof completions === 'number') return `${succeeded}/${completions}`;
  const parallelism = num(at(job, 'spec', 'parallelism'), 1);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

export const jobPrinter: Printer = {
  columns: [nameColumn(), col('Status'), col('Completions'), col('Duration'), col('Age'), ...TEMPLATE_COLUMNS],
  cells: (job, now) => {
    const start = str(at(job, 'status', 'startTime'));
    const end = str(at(job, 'status', 'completionTime'));
    const took = start ? duration(start, end ? new Date(end) : now) : '';
    return [name(job), jobStatus(job), jobCompletions(job), took, age(job, now), ...templateCells(job)];
  },
};

export const cronJobPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Schedule'),
    col('Timezone'),
    col('Suspend', 'boolean'),
    col('Active', 'integer'),
    col('Last Schedule'),
    col('Age'),
    ...TEMPLATE_COLUMNS,
  ],
  cells: (cj, now) => {
    const suspend = at(cj, 'spec', 'suspend');
    const jobSpec = at(cj, 'spec', 'jobTemplate', 'spec');
    return [
      name(cj),
      str(at(cj, 'spec', 'schedule')),
      none(str(at(cj, 'spec', 'timeZone'))),
      typeof suspend === 'boolean' ? (suspend ? 'True' : 'False') : '<unset>',
      list(at(cj, 'status', 'active')).length,
      since(at(cj, 'status', 'lastScheduleTime'), now, '<none>'),
      age(cj, now),
      ...templateCells(cj, at(jobSpec, 'template', 'spec'), at(jobSpec, 'selector')),
    ];
  },
};
