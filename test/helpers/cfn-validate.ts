import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { PropertyType, Resource, SpecDatabase, TypeDefinition } from '@aws-cdk/service-spec-types';

/**
 * A CloudFormation template checked offline against the resource specification the CDK itself is generated
 * from (`@aws-cdk/aws-service-spec`: the CloudFormation registry schemas, patched): every resource type,
 * property name, required property, value type and allowed value, every `Ref`, `Fn::GetAtt` (attribute
 * included), `Fn::Sub` variable and `DependsOn` target. What CloudFormation would refuse at deploy time
 * becomes an error here. Deprecated properties are warnings.
 */

export interface Finding {
  readonly level: 'error' | 'warning';
  /** Where: `Resources.Queue1234.Properties.RedrivePolicy`. */
  readonly path: string;
  readonly message: string;
}

export interface CfnTemplate {
  readonly Resources?: Record<string, { Type?: unknown; Properties?: unknown; [key: string]: unknown }>;
  readonly Parameters?: Record<string, unknown>;
  readonly Outputs?: Record<string, { Value?: unknown; [key: string]: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** Resource attributes CloudFormation accepts beside Type and Properties. */
const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Metadata',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'Condition',
  'UpdatePolicy',
  'CreationPolicy',
]);
const POLICIES = new Set(['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot']);
const PSEUDO = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);
const INTRINSICS = new Set([
  'Ref',
  'Fn::GetAtt',
  'Fn::Join',
  'Fn::Sub',
  'Fn::Select',
  'Fn::Split',
  'Fn::If',
  'Fn::ImportValue',
  'Fn::GetAZs',
  'Fn::Base64',
  'Fn::Cidr',
  'Fn::FindInMap',
  'Fn::ToJsonString',
  'Fn::Length',
]);
/** Types the spec does not describe that CloudFormation accepts: the CDK's version metadata, custom resources. */
const UNDESCRIBED = (type: string) => type === 'AWS::CDK::Metadata' || type.startsWith('Custom::');

let database: SpecDatabase | undefined;
function spec(): SpecDatabase {
  database ??= loadAwsServiceSpecSync();
  return database;
}

function resourceSpec(type: string): Resource | undefined {
  return spec().lookup('resource', 'cloudFormationType', 'equals', type)[0];
}

const isIntrinsic = (value: unknown): value is Record<string, unknown> =>
  !!value &&
  typeof value === 'object' &&
  !Array.isArray(value) &&
  Object.keys(value).length === 1 &&
  (INTRINSICS.has(Object.keys(value)[0] as string) || (Object.keys(value)[0] as string).startsWith('Fn::'));

export function validateTemplate(template: CfnTemplate): Finding[] {
  const findings: Finding[] = [];
  const error = (path: string, message: string) => findings.push({ level: 'error', path, message });
  const warning = (path: string, message: string) => findings.push({ level: 'warning', path, message });
  const resources = template.Resources ?? {};
  const parameters = template.Parameters ?? {};
  if (Object.keys(resources).length === 0) error('Resources', 'a template needs at least one resource');
  if (Object.keys(resources).length > 500)
    error('Resources', 'more than 500 resources (CloudFormation limit)');

  /** Refs, GetAtts and Subs anywhere in a value. */
  const checkIntrinsics = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) checkIntrinsics(v, `${path}[${i}]`);
      return;
    }
    if (!value || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') {
        if (!PSEUDO.has(inner) && !(inner in resources) && !(inner in parameters))
          error(path, `Ref to ${inner}, which is neither a resource, a parameter nor a pseudo parameter`);
      } else if (key === 'Fn::GetAtt') {
        const [id, attribute] = (
          Array.isArray(inner) ? inner : typeof inner === 'string' ? inner.split(/\.(.*)/) : []
        ) as [unknown, unknown];
        checkGetAtt(id, attribute, path);
      } else if (key === 'Fn::Sub') {
        const [text, variables] = (Array.isArray(inner) ? inner : [inner, {}]) as [
          unknown,
          Record<string, unknown>,
        ];
        if (typeof text === 'string') {
          for (const [, name] of text.matchAll(/\$\{(?!!)([^}]+)\}/g)) {
            const variable = name as string;
            if (variables && variable in variables) continue;
            if (variable.includes('.')) {
              const [id, attribute] = variable.split(/\.(.*)/);
              checkGetAtt(id, attribute, path);
            } else if (!PSEUDO.has(variable) && !(variable in resources) && !(variable in parameters)) {
              error(
                path,
                `Fn::Sub names \${${variable}}, which is neither a resource, a parameter nor a pseudo parameter`,
              );
            }
          }
        }
      } else if (
        key.startsWith('Fn::') &&
        !INTRINSICS.has(key) &&
        key !== 'Fn::Equals' &&
        key !== 'Fn::And' &&
        key !== 'Fn::Or' &&
        key !== 'Fn::Not' &&
        key !== 'Fn::Contains' &&
        key !== 'Fn::EachMemberEquals' &&
        key !== 'Fn::ValueOf' &&
        key !== 'Fn::RefAll' &&
        key !== 'Fn::ValueOfAll'
      ) {
        error(path, `unknown intrinsic function ${key}`);
      }
      checkIntrinsics(inner, `${path}.${key}`);
    }
  };
  const checkGetAtt = (id: unknown, attribute: unknown, path: string) => {
    if (typeof id !== 'string' || typeof attribute !== 'string') {
      error(path, 'Fn::GetAtt needs a logical id and an attribute name');
      return;
    }
    const target = resources[id];
    if (!target) {
      error(path, `Fn::GetAtt on ${id}, which is not a resource of the template`);
      return;
    }
    const type = String(target.Type);
    if (UNDESCRIBED(type) || type === 'AWS::CloudFormation::CustomResource') return;
    const described = resourceSpec(type);
    if (described && !(attribute in described.attributes))
      error(
        path,
        `${type} has no attribute ${attribute} (it has: ${Object.keys(described.attributes).join(', ')})`,
      );
  };

  /** A value against its property type (an intrinsic stands for any value: its target is checked above). */
  const checkValue = (value: unknown, type: PropertyType, path: string): void => {
    if (isIntrinsic(value)) return;
    switch (type.type) {
      case 'string':
      case 'date-time':
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
          error(path, `expected a string, got ${JSON.stringify(value)?.slice(0, 80)}`);
        } else if (
          type.type === 'string' &&
          type.allowedValues &&
          !type.allowedValues.includes(String(value))
        ) {
          error(path, `"${value}" is not one of ${type.allowedValues.join(', ')}`);
        }
        return;
      case 'number':
      case 'integer':
        // CloudFormation reads numbers given as strings ("60").
        if (
          !(
            typeof value === 'number' ||
            (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))
          )
        )
          error(path, `expected a number, got ${JSON.stringify(value)?.slice(0, 80)}`);
        else if (type.type === 'integer' && !Number.isInteger(Number(value)))
          error(path, `expected an integer, got ${value}`);
        return;
      case 'boolean':
        if (typeof value !== 'boolean' && value !== 'true' && value !== 'false')
          error(path, `expected a boolean, got ${JSON.stringify(value)?.slice(0, 80)}`);
        return;
      case 'json':
        if (value === null || (typeof value !== 'object' && typeof value !== 'string'))
          error(path, `expected a JSON object, got ${JSON.stringify(value)?.slice(0, 80)}`);
        return;
      case 'null':
        return;
      case 'tag':
        if (!value || typeof value !== 'object' || !('Key' in value) || !('Value' in value))
          error(path, 'expected a tag { Key, Value }');
        return;
      case 'array':
        if (!Array.isArray(value)) error(path, `expected a list, got ${JSON.stringify(value)?.slice(0, 80)}`);
        else for (const [i, v] of value.entries()) checkValue(v, type.element, `${path}[${i}]`);
        return;
      case 'map':
        if (!value || typeof value !== 'object' || Array.isArray(value)) error(path, 'expected a map');
        else for (const [k, v] of Object.entries(value)) checkValue(v, type.element, `${path}.${k}`);
        return;
      case 'union': {
        // Valid when one member type accepts it: try each on a scratch list.
        const ok = type.types.some((member) => {
          const before = findings.length;
          checkValue(value, member, path);
          const clean = findings.length === before;
          findings.length = before;
          return clean;
        });
        if (!ok) error(path, `matches none of ${type.types.map((t) => t.type).join(' | ')}`);
        return;
      }
      case 'ref': {
        const definition = spec().get('typeDefinition', type.reference.$ref) as TypeDefinition;
        checkProperties(value, definition.properties, path);
        return;
      }
    }
  };

  const checkProperties = (value: unknown, properties: Resource['properties'], path: string): void => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      error(path, `expected an object, got ${JSON.stringify(value)?.slice(0, 80)}`);
      return;
    }
    const given = value as Record<string, unknown>;
    for (const [name, property] of Object.entries(properties)) {
      if (property.required && !(name in given)) error(path, `required property ${name} is missing`);
    }
    for (const [name, v] of Object.entries(given)) {
      const property = properties[name];
      if (!property) {
        error(`${path}.${name}`, `unknown property (known: ${Object.keys(properties).join(', ')})`);
        continue;
      }
      if (property.deprecated === 'WARN') warning(`${path}.${name}`, 'deprecated property');
      checkValue(v, property.type, `${path}.${name}`);
    }
  };

  for (const [id, resource] of Object.entries(resources)) {
    const path = `Resources.${id}`;
    if (!/^[A-Za-z0-9]{1,255}$/.test(id)) error(path, 'logical ids are alphanumeric, at most 255 characters');
    for (const key of Object.keys(resource))
      if (!RESOURCE_KEYS.has(key)) error(`${path}.${key}`, 'not a resource attribute');
    for (const key of ['DeletionPolicy', 'UpdateReplacePolicy'] as const) {
      if (resource[key] !== undefined && !POLICIES.has(String(resource[key])))
        error(`${path}.${key}`, `"${resource[key]}" is not one of ${[...POLICIES].join(', ')}`);
    }
    for (const target of resource.DependsOn === undefined ? [] : [resource.DependsOn].flat()) {
      if (typeof target !== 'string' || !(target in resources))
        error(`${path}.DependsOn`, `${target} is not a resource`);
    }
    const type = resource.Type;
    if (typeof type !== 'string') {
      error(`${path}.Type`, 'missing');
      continue;
    }
    checkIntrinsics(resource.Properties, `${path}.Properties`);
    if (UNDESCRIBED(type)) continue;
    const described = resourceSpec(type);
    if (!described) {
      error(`${path}.Type`, `${type} is not a CloudFormation resource type`);
      continue;
    }
    if (type === 'AWS::CloudFormation::CustomResource') continue;
    checkProperties(resource.Properties ?? {}, described.properties, `${path}.Properties`);
  }
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    if (output.Value === undefined) error(`Outputs.${name}`, 'an output needs a Value');
    checkIntrinsics(output, `Outputs.${name}`);
  }
  if (Object.keys(template.Outputs ?? {}).length > 200)
    error('Outputs', 'more than 200 outputs (CloudFormation limit)');
  return findings;
}
