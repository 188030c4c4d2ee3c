import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, unknown>;
}

export interface Template {
  readonly Resources: Readonly<Record<string, TemplateResource>>;
}

/** One stack of a cloud assembly (what `cdk synth` writes to cdk.out): its template and its file assets. */
export interface StackAssembly {
  readonly dir: string;
  readonly stackName: string;
  readonly template: Template;
  /** Asset hash (an S3 key without `.zip`) → its directory or file in the assembly. */
  readonly assetPaths: ReadonlyMap<string, string>;
}

interface Manifest {
  readonly artifacts?: Record<string, { type: string; properties?: { templateFile?: string; file?: string }; dependencies?: string[] }>;
}

/**
 * Reads a stack out of a cloud assembly directory. With one stack in it that stack is taken;
 * with several, the only one that defines an HTTP API (the service's, not the -Edge stack with
 * its web ACL), or `stackName` says which.
 */
export function readStackAssembly(dir: string, stackName?: string): StackAssembly {
  const root = resolve(dir);
  const manifestFile = join(root, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`${root} is not a cloud assembly (no manifest.json): run \`npx cdk synth\` first`);
  const artifacts = (JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest).artifacts ?? {};
  const stacks = Object.entries(artifacts).filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack');
  const templateOf = (artifact: (typeof stacks)[number][1]) =>
    JSON.parse(readFileSync(join(root, artifact.properties!.templateFile!), 'utf8')) as Template;
  const servesApi = ([, artifact]: (typeof stacks)[number]) =>
    Object.values(templateOf(artifact).Resources ?? {}).some((resource) => resource.Type === 'AWS::ApiGatewayV2::Api');
  const chosen = stackName ? stacks.filter(([name]) => name === stackName) : stacks.length > 1 ? stacks.filter(servesApi) : stacks;
  if (chosen.length !== 1) {
    const names = stacks.map(([name]) => name).join(', ') || 'none';
    throw new Error(
      stackName
        ? `${root} has no stack ${stackName} (it has: ${names})`
        : `${root} holds ${stacks.length} stacks (${names}), ${chosen.length} of them with an HTTP API: name one with --stack`,
    );
  }
  const [name, artifact] = chosen[0];
  const template = templateOf(artifact);

  const assetPaths = new Map<string, string>();
  for (const dependency of artifact.dependencies ?? []) {
    const assets = artifacts[dependency];
    if (assets?.type !== 'cdk:asset-manifest' || !assets.properties?.file) continue;
    const manifest = JSON.parse(readFileSync(join(root, assets.properties.file), 'utf8')) as {
      files?: Record<string, { source: { path: string } }>;
    };
    for (const [hash, file] of Object.entries(manifest.files ?? {})) assetPaths.set(hash, join(root, file.source.path));
  }
  return { dir: root, stackName: name, template, assetPaths };
}
