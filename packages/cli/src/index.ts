export { configCheck, configPrint, serve, EXIT, type Io } from './commands.js';
export { inspectModel } from './inspect.js';
