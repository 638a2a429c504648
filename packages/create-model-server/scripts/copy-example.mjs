// Before `npm pack`/`npm publish`: copies the example purchase model and its reference data into
// templates/example, so the published package scaffolds offline. In the Ponte workspace the package
// reads them from examples/ directly (src/templates.ts), so nothing needs copying there.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const examples = join(pkg, '..', '..', 'examples');
const target = join(pkg, 'templates', 'example');
rmSync(target, { recursive: true, force: true });
mkdirSync(join(target, 'models', 'purchase', '1'), { recursive: true });
mkdirSync(join(target, 'data', 'purchase'), { recursive: true });
cpSync(join(examples, 'models', 'purchase', 'model.yaml'), join(target, 'models', 'purchase', 'model.yaml'));
cpSync(join(examples, 'models', 'purchase', '1', 'model.onnx'), join(target, 'models', 'purchase', '1', 'model.onnx'));
cpSync(join(examples, 'data', 'purchase', 'reference.csv'), join(target, 'data', 'purchase', 'reference.csv'));
console.log(`copied the example model into ${target}`);
