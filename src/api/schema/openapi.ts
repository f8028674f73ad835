/**
 * OpenAPI v3 schemas generated from the DSL, with Kubernetes' extensions
 * (x-kubernetes-int-or-string, -preserve-unknown-fields, -list-type, -list-map-keys,
 * -patch-merge-key, -patch-strategy). Given a components table, named types are emitted
 * once there and referenced with $ref, as in Kubernetes' /openapi/v3 documents.
 */
import type { Json } from '../object.ts';
import { QUANTITY_PATTERN } from '../quantity.ts';
import type { Schema } from './dsl.ts';

export type OpenApiSchema = { [key: string]: Json };

export function toOpenApiSchema(schema: Schema, components?: Record<string, OpenApiSchema>): OpenApiSchema {
  if (components && schema.name) {
    if (!(schema.name in components)) {
      components[schema.name] = {}; // placeholder first, so a type that reaches itself stops here
      components[schema.name] = inline(schema, components);
    }
    const ref = { $ref: `#/components/schemas/${schema.name}` };
    // The patch strategy and the description belong to the field too (kubectl reads them
    // there: apply for $retainKeys, explain for its field list), beside the reference, as
    // Kubernetes publishes them.
    const strategy = schema.kind === 'object' ? schema.patchStrategy : undefined;
    if (!schema.description && !strategy) return ref;
    const field: OpenApiSchema = { allOf: [ref] };
    if (schema.description) field.description = schema.description;
    if (strategy) field['x-kubernetes-patch-strategy'] = strategy;
    return field;
  }
  return inline(schema, components);
}

function inline(schema: Schema, components?: Record<string, OpenApiSchema>): OpenApiSchema {
  const out: OpenApiSchema = schema.description ? { description: schema.description } : {};
  switch (schema.kind) {
    case 'string':
      out.type = 'string';
      if (schema.format) out.format = schema.format;
      if (schema.enum) out.enum = [...schema.enum];
      return out;
    case 'integer':
      out.type = 'integer';
      out.format = schema.format;
      if (schema.minimum !== undefined) out.minimum = schema.minimum;
      if (schema.maximum !== undefined) out.maximum = schema.maximum;
      return out;
    case 'number':
      return { ...out, type: 'number', format: 'double' };
    case 'boolean':
      return { ...out, type: 'boolean' };
    case 'int-or-string':
      return { ...out, 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
    case 'quantity':
      return {
        ...out,
        'x-kubernetes-int-or-string': true,
        anyOf: [{ type: 'integer' }, { type: 'string' }],
        pattern: QUANTITY_PATTERN,
      };
    case 'any':
      return { ...out, 'x-kubernetes-preserve-unknown-fields': true };
    case 'object': {
      out.type = 'object';
      const properties: OpenApiSchema = {};
      for (const [field, fieldSchema] of Object.entries(schema.properties)) properties[field] = toOpenApiSchema(fieldSchema, components);
      if (Object.keys(properties).length > 0) out.properties = properties;
      if (schema.required?.length) out.required = [...schema.required];
      if (schema.preserveUnknownFields) out['x-kubernetes-preserve-unknown-fields'] = true;
      if (schema.patchStrategy && !(components && schema.name)) out['x-kubernetes-patch-strategy'] = schema.patchStrategy;
      return out;
    }
    case 'map':
      return { ...out, type: 'object', additionalProperties: toOpenApiSchema(schema.values, components) };
    case 'list': {
      out.type = 'array';
      out.items = toOpenApiSchema(schema.items, components);
      if (schema.listType !== 'atomic') out['x-kubernetes-list-type'] = schema.listType;
      if (schema.mapKeys) out['x-kubernetes-list-map-keys'] = [...schema.mapKeys];
      if (schema.mergeKey) out['x-kubernetes-patch-merge-key'] = schema.mergeKey;
      if (schema.patchStrategy) out['x-kubernetes-patch-strategy'] = schema.patchStrategy;
      return out;
    }
  }
}
