/**
 * The benches' API servers run without the ServiceAccount admission plugin, as
 * Kubernetes' integration test servers do: no ServiceAccounts controller runs beside
 * them to make each namespace's "default" account, which that plugin requires of a pod.
 */
export const BENCH_ADMISSION = ['--disable-admission-plugins', 'ServiceAccount'] as const;
