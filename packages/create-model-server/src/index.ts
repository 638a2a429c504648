export { completeAnswers, packageNameOf, DEFAULTS, type Answers, type GivenAnswers, type StoreChoice, type ExporterChoice } from './answers.js';
export { parseFlags, USAGE, type Flags } from './flags.js';
export { scaffold, type Progress, type Scaffolded } from './scaffold.js';
export { finalMessage } from './final-message.js';
export { renderPonteConfig } from './ponte-config.js';
