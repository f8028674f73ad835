/**
 * The annotation keys and names the persistent volume controller, the provisioners and
 * the DefaultStorageClass admission step share (Kubernetes' storage helpers), spelled once.
 */

/** On a claim: the binder finished binding it (the claim side was written last). */
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
/** On a claim or a volume: the binder, not the user, chose this side's partner. */
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
/** On a volume: the provisioner that made it (it, not the binder, deletes it). */
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
/** On a claim: which provisioner the binder asked to make a volume for it. */
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
/** On a claim of a WaitForFirstConsumer class: the node of its first consumer. */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** The class annotation that predates spec.storageClassName (still wins over it). */
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
export const ANN_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
export const ANN_BETA_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';

export const PERSISTENT_VOLUMES = 'persistentvolumes';
export const PERSISTENT_VOLUME_CLAIMS = 'persistentvolumeclaims';
export const STORAGE_CLASSES = 'storageclasses.storage.k8s.io';
