/**
 * Table printers of the storage kinds, with kubectl's columns: storage classes,
 * persistent volumes and persistent volume claims. Pure.
 */
import type { KubeObject } from '../api/object.ts';
import { age, at, col, list, nameColumn, record, str, wide, type Printer } from './table-kit.ts';

const name = (o: KubeObject) => o.metadata.name ?? '';
const annotation = (o: KubeObject, key: string) => o.metadata.annotations?.[key];

/** helper.GetAccessModesAsString: the modes present, in Kubernetes' fixed order. */
export function accessModes(modes: unknown): string {
  const present = new Set(list(modes).map(String));
  const order: Array<[string, string]> = [
    ['ReadWriteOnce', 'RWO'],
    ['ReadOnlyMany', 'ROX'],
    ['ReadWriteMany', 'RWX'],
    ['ReadWriteOncePod', 'RWOP'],
  ];
  return order
    .filter(([mode]) => present.has(mode))
    .map(([, short]) => short)
    .join(',');
}

/** The beta annotation wins over spec.storageClassName, as in Kubernetes' helpers. */
const storageClassOf = (o: KubeObject) => annotation(o, 'volume.beta.kubernetes.io/storage-class') ?? str(at(o, 'spec', 'storageClassName'));
const phaseOf = (o: KubeObject) => (o.metadata.deletionTimestamp ? 'Terminating' : str(at(o, 'status', 'phase')));
const optional = (value: unknown) => str(value, '<unset>');

const isDefaultClass = (sc: KubeObject) =>
  annotation(sc, 'storageclass.kubernetes.io/is-default-class') === 'true' || annotation(sc, 'storageclass.beta.kubernetes.io/is-default-class') === 'true';

export const storageClassPrinter: Printer = {
  columns: [nameColumn(), col('Provisioner'), col('ReclaimPolicy'), col('VolumeBindingMode'), col('AllowVolumeExpansion'), col('Age')],
  cells: (sc, now) => [
    isDefaultClass(sc) ? `${name(sc)} (default)` : name(sc),
    str(sc.provisioner),
    str(sc.reclaimPolicy, 'Delete'),
    str(sc.volumeBindingMode, 'Immediate'),
    sc.allowVolumeExpansion === true,
    age(sc, now),
  ],
};

export const persistentVolumePrinter: Printer = {
  columns: [
    nameColumn(),
    col('Capacity'),
    col('Access Modes'),
    col('Reclaim Policy'),
    col('Status'),
    col('Claim'),
    col('StorageClass'),
    col('VolumeAttributesClass'),
    col('Reason'),
    col('Age'),
    wide('VolumeMode'),
  ],
  cells: (pv, now) => {
    const claim = at(pv, 'spec', 'claimRef');
    return [
      name(pv),
      str(record(at(pv, 'spec', 'capacity')).storage, '0'),
      accessModes(at(pv, 'spec', 'accessModes')),
      str(at(pv, 'spec', 'persistentVolumeReclaimPolicy')),
      phaseOf(pv),
      claim ? `${str(at(claim, 'namespace'))}/${str(at(claim, 'name'))}` : '',
      storageClassOf(pv),
      optional(at(pv, 'spec', 'volumeAttributesClassName')),
      str(at(pv, 'status', 'reason')),
      age(pv, now),
      optional(at(pv, 'spec', 'volumeMode')),
    ];
  },
};

export const persistentVolumeClaimPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Status'),
    col('Volume'),
    col('Capacity'),
    col('Access Modes'),
    col('StorageClass'),
    col('VolumeAttributesClass'),
    col('Age'),
    wide('VolumeMode'),
  ],
  cells: (pvc, now) => {
    // Capacity and modes are the bound volume's, so they show only once bound.
    const bound = str(at(pvc, 'spec', 'volumeName'));
    return [
      name(pvc),
      phaseOf(pvc),
      bound,
      bound ? str(record(at(pvc, 'status', 'capacity')).storage, '0') : '',
      bound ? accessModes(at(pvc, 'status', 'accessModes')) : '',
      storageClassOf(pvc),
      optional(at(pvc, 'spec', 'volumeAttributesClassName')),
      age(pvc, now),
      optional(at(pvc, 'spec', 'volumeMode')),
    ];
  },
};
