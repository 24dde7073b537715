export { isKeelError, KeelError } from "./keel-error.js";
