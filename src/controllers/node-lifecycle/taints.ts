/** Taints and tolerations live in src/api/taints.ts (the scheduler matches them too). */
export * from '../../api/taints.ts';
