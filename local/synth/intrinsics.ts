/**
 * CloudFormation's intrinsic functions, evaluated against local values instead of a deployment:
 * `Ref` and `Fn::GetAtt` of a resource become what stands in for it here (a DynamoDB Local table's
 * name, a local user pool id), pseudo parameters the local region and account. A reference with no
 * local counterpart is an error that names it, never a guess.
 */

/** What a resource stands for locally: its `Ref` and the attributes `Fn::GetAtt` may ask for. */
export interface LocalResource {
  readonly ref: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

export const LOCAL_REGION = 'local';
export const LOCAL_ACCOUNT = '000000000000';

export class UnresolvableValue extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnresolvableValue';
  }
}

export interface Resolver {
  /** The template value with every intrinsic evaluated; throws UnresolvableValue naming what has no local counterpart. */
  resolve(value: unknown): unknown;
  /** As `resolve`, for a value that must come out a string. */
  resolveString(value: unknown): string;
}

/**
 * @param resources the local stand-in of each logical id that may be referred to
 * @param describe how a logical id with no stand-in is named in an error (its type and path)
 */
export function createResolver(
  resources: ReadonlyMap<string, LocalResource>,
  pseudo: Readonly<Record<string, string>>,
  describe: (logicalId: string) => string,
): Resolver {
  const pseudoParameters: Record<string, string> = {
    'AWS::Region': LOCAL_REGION,
    'AWS::AccountId': LOCAL_ACCOUNT,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::NoValue': '',
    ...pseudo,
  };

  const ref = (name: string): string => {
    if (name in pseudoParameters) return pseudoParameters[name];
    const resource = resources.get(name);
    if (!resource) throw new UnresolvableValue(`${describe(name)} has no local counterpart`);
    return resource.ref;
  };
  const getAtt = (logicalId: string, attribute: string): string => {
    const resource = resources.get(logicalId);
    const value = resource?.attributes?.[attribute];
    if (value === undefined) throw new UnresolvableValue(`${attribute} of ${describe(logicalId)} has no local counterpart`);
    return value;
  };

  function resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [name, argument] = entries[0];
      switch (name) {
        case 'Ref':
          return ref(String(argument));
        case 'Fn::GetAtt': {
          const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split(/\.(.*)/s);
          return getAtt(String(logicalId), String(attribute));
        }
        case 'Fn::Join': {
          const [separator, parts] = argument as [string, unknown[]];
          return (resolve(parts) as unknown[]).map(String).join(separator);
        }
        case 'Fn::Select': {
          const [index, list] = argument as [unknown, unknown];
          return (resolve(list) as unknown[])[Number(resolve(index))];
        }
        case 'Fn::Sub': {
          const [text, variables] = Array.isArray(argument) ? (argument as [string, Record<string, unknown>]) : [String(argument), {}];
          const own = Object.fromEntries(Object.entries(variables).map(([key, v]) => [key, String(resolve(v))]));
          return text.replace(/\$\{([^}!]+)\}/g, (_, expression: string) => {
            if (expression in own) return own[expression];
            const [logicalId, attribute] = expression.split(/\.(.*)/s);
            return attribute ? getAtt(logicalId, attribute) : ref(logicalId);
          });
        }
        default:
          if (name.startsWith('Fn::') || name === 'Condition') throw new UnresolvableValue(`${name} is not evaluated locally`);
      }
    }
    return Object.fromEntries(entries.map(([key, v]) => [key, resolve(v)]));
  }

  return {
    resolve,
    resolveString(value) {
      const resolved = resolve(value);
      if (typeof resolved === 'string') return resolved;
      if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
      throw new UnresolvableValue(`${JSON.stringify(value)} is not a string`);
    },
  };
}

/** The logical id a `Ref` or `Fn::GetAtt` points at, or undefined for anything else. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const { Ref: ref, 'Fn::GetAtt': getAtt } = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
  if (typeof ref === 'string') return ref;
  if (Array.isArray(getAtt)) return String(getAtt[0]);
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}
