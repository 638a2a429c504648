import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { createKey } from '@ponte/auth-apikey';
import { PONTE_VERSION } from '@ponte/core';
import type { Answers } from './answers.js';
import { renderDockerfile, renderDockerignore, renderK8sDeployment, renderK8sService } from './deploy-files.js';
import { configPackages, renderPonteConfig, type KeyEntry } from './ponte-config.js';
import { renderGitignore, renderPackageJson, renderReadme, renderTsconfig } from './project-files.js';
import { writeReferenceProfile } from './reference-profile.js';
import { repositoryFolder, serviceModel, type ServiceModel } from './service-model.js';
import { copyTemplate, exampleAssets, PROJECT_TEMPLATES } from './templates.js';

/** Told as the work goes on: a step starts, ends, or has something to warn about. */
export interface Progress {
  start(step: string): void;
  done(result: string): void;
  warn(message: string): void;
}

export interface Scaffolded {
  dir: string;
  model: ServiceModel;
  /** The API key, shown once (only its hash is in ponte.yaml); undefined without auth. */
  key: { id: string; key: string; scopes: readonly string[] } | undefined;
  /** Whether the model got a reference profile. */
  profiled: boolean;
  /** Every file written, relative to `dir`. */
  files: string[];
}

/** What the key may do: everything but admin routes (loading and unloading models). */
const KEY_SCOPES = ['infer:*', 'explain:*', 'feedback:*', 'read:*', 'monitor:*'];

/**
 * Writes a new Ponte service into `answers.dir`, from the templates bundled in
 * this package (nothing is downloaded): ponte.yaml, the model and its
 * reference profile, an API key's hash, a custom plugin with its test, a
 * Dockerfile, Kubernetes manifests, a README and package.json.
 * Throws a RangeError naming the answer when one cannot be used.
 */
export async function scaffold(answers: Answers, progress: Progress): Promise<Scaffolded> {
  const model = serviceModel(answers);
  if (!model.example && !existsSync(answers.model)) throw new RangeError(`--model: ${answers.model}: no such file`);
  if (answers.data !== undefined && !existsSync(answers.data)) throw new RangeError(`--data: ${answers.data}: no such file`);
  if (existsSync(answers.dir) && readdirSync(answers.dir).length > 0 && !answers.force) {
    throw new RangeError(`${answers.dir} exists and is not empty: choose another folder, or pass --force to write into it`);
  }
  const files: string[] = [];
  const write = (path: string, text: string): void => {
    const target = join(answers.dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    files.push(path);
  };
  const copy = (from: string, path: string): void => {
    const target = join(answers.dir, path);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(from, target);
    files.push(path);
  };
  mkdirSync(answers.dir, { recursive: true });

  progress.start(`Copying the ${model.example ? 'example ' : ''}model`);
  const versionDir = `models/${model.name}/1`;
  let referenceData: string | undefined;
  if (model.example) {
    const example = exampleAssets();
    copy(join(example.modelDir, 'model.yaml'), `models/${model.name}/model.yaml`);
    copy(join(example.modelDir, '1', 'model.onnx'), `${versionDir}/model.onnx`);
    referenceData = 'data/reference.csv';
    copy(example.reference, referenceData);
  } else {
    copy(answers.model, `${versionDir}/${model.fileName}`);
    const folder = repositoryFolder(answers.model);
    const modelYaml = [join(dirname(answers.model), 'model.yaml'), ...(folder !== undefined ? [join(folder, 'model.yaml')] : [])].find((f) => existsSync(f));
    if (modelYaml !== undefined) copy(modelYaml, `models/${model.name}/model.yaml`);
    else write(`models/${model.name}/model.yaml`, modelYamlStub(model));
    if (answers.data !== undefined) {
      referenceData = `data/reference${extname(answers.data).toLowerCase() || '.csv'}`;
      copy(answers.data, referenceData);
    }
  }
  progress.done(`Model ${model.name}: ${versionDir}/${model.fileName}${referenceData !== undefined ? `, reference data in ${referenceData}` : ''}`);

  let profiled = false;
  if (referenceData !== undefined) {
    progress.start('Profiling the model on its reference data (ponte profile)');
    try {
      await writeReferenceProfile({ repository: join(answers.dir, 'models'), model, data: join(answers.dir, referenceData), out: join(answers.dir, versionDir, 'profile.json') });
      files.push(`${versionDir}/profile.json`);
      profiled = true;
      progress.done(`Reference profile: ${versionDir}/profile.json`);
    } catch (e) {
      progress.warn(`No reference profile (${e instanceof Error ? e.message : String(e)}); make it later with npm run profile`);
    }
  }

  let key: Scaffolded['key'];
  let entry: KeyEntry | undefined;
  if (answers.auth) {
    progress.start('Making an API key');
    const created = await createKey({ id: 'owner', scopes: KEY_SCOPES });
    key = { id: created.id, key: created.key, scopes: created.scopes };
    entry = { id: created.id, hash: created.hash, scopes: created.scopes };
    progress.done(`API key "${created.id}": its scrypt hash is in ponte.yaml`);
  }

  progress.start('Writing ponte.yaml, the plugin, its test and package.json');
  const plugins = configPackages(answers, model);
  write('ponte.yaml', renderPonteConfig({ answers, model, key: entry, profiled }));
  files.push(...copyTemplate(PROJECT_TEMPLATES, answers.dir, { name: answers.name, model: model.name }));
  write('package.json', renderPackageJson({ answers, model, plugins, ponteVersion: PONTE_VERSION, referenceData }));
  write('tsconfig.json', renderTsconfig());
  write('.gitignore', renderGitignore());
  if (answers.store === 'sqlite') write('data/.gitkeep', '');
  write('README.md', renderReadme({ answers, model, keyId: key?.id, profiled, referenceData }));
  progress.done('ponte.yaml, src/plugins/request-limits.ts, test/request-limits.test.ts, package.json, README.md');

  progress.start('Writing the Dockerfile and Kubernetes manifests');
  write('Dockerfile', renderDockerfile(answers));
  write('.dockerignore', renderDockerignore());
  write('k8s/deployment.yaml', renderK8sDeployment(answers));
  write('k8s/service.yaml', renderK8sService(answers));
  progress.done('Dockerfile, .dockerignore, k8s/deployment.yaml, k8s/service.yaml');

  return { dir: answers.dir, model, key, profiled, files: [...new Set(files)].sort() };
}

/** model.yaml for a model of the user's own: what to fill in, as comments. */
function modelYamlStub(model: ServiceModel): string {
  return `# ${model.name}: features, labels and task (see Ponte's docs/config.md, "models[] (and model.yaml)").
# With features listed in input order, the named-feature API (/v1/models/${model.name}:predict) accepts
# objects, bad values get a 400 naming the field, and \`ponte profile\` can make a monitoring profile.
description: "${model.name}"
# task: binary_classification      # multiclass_classification, regression, other
# labels: ["no", "yes"]            # classes in the order of the probability output's columns
# features:
#   - { name: age, min: 0 }
#   - { name: income, min: 0 }
`;
}

/** The folder as the user should type it in `cd`. */
export function displayDir(dir: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, dir);
  return rel === '' ? '.' : rel.startsWith('..') ? dir : rel.includes(' ') ? `"${rel}"` : rel || basename(dir);
}
