/**
 * Field paths as Kubernetes prints them (field.Path): `spec.containers[0].name`,
 * `data[my.key]`. A path is just its string; these helpers keep the spelling in one place.
 */
export type FieldPath = string;

export function child(path: FieldPath, ...names: string[]): FieldPath {
  return names.reduce((p, name) => (p === '' ? name : `${p}.${name}`), path);
}

export function index(path: FieldPath, i: number): FieldPath {
  return `${path}[${i}]`;
}

export function key(path: FieldPath, k: string): FieldPath {
  return `${path}[${k}]`;
}
