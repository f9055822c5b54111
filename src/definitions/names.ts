import { DefinitionError } from '../errors.js';
import { VALUE_TYPES, type ValueType } from './types.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether `name` can be used as a SQL identifier without surprises. */
export function isValidName(name: unknown): name is string {
  return typeof name === 'string' && NAME.test(name);
}

/**
 * Throw unless `name` is letters, digits and underscores (not starting with a digit):
 * names become SQL identifiers and file names.
 */
export function checkName(name: unknown, what: string, location?: string): string {
  if (!isValidName(name)) {
    throw new DefinitionError(
      `Failed to define ${what}: invalid name ${JSON.stringify(name)} ` +
        '(use letters, digits and underscores, not starting with a digit)',
      location,
    );
  }
  return name;
}

/** Throw unless `type` is one of {@link VALUE_TYPES}. */
export function checkValueType(type: unknown, what: string, location?: string): ValueType {
  if (!VALUE_TYPES.includes(type as ValueType)) {
    throw new DefinitionError(
      `Failed to define ${what}: unknown type ${JSON.stringify(type)} ` +
        `(expected one of ${VALUE_TYPES.join(', ')})`,
      location,
    );
  }
  return type as ValueType;
}
