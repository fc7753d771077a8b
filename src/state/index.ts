export { acquireLock, describeHolder, isProcessAlive, readLock, removeLock } from "./lock.js";
export type { AcquireLockOptions, ExistingLock } from "./lock.js";
export {
  backupPathFor,
  DEFAULT_STATE_PATH,
  displayPath,
  lockPathFor,
  resolveStatePath,
  SANDBOX_STATE_PATH,
} from "./paths.js";
export { newState, withCampaign, withDestroyed } from "./records.js";
export { applyChanges, assertExpectedVersion, keysTouched } from "./changes.js";
export { openStateStore } from "./store.js";
export type { FileStateStore, StateStoreOptions } from "./store.js";
export { assertTargetMatches, normalizeApiUrl } from "./target.js";
export { findStateProblems, parseState, STATE_VERSION } from "./validate.js";
export type * from "./types.js";
