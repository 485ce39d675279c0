export { imageSpec as spec, run } from './inspect.js';
