export type {
  EmulatorOptions,
  FaultKind,
  FaultOptions,
  RateLimitOptions,
  RequestLogEntry,
  RunningEmulator,
  UndeliverableOptions,
} from "./types.js";
export { EMULATOR_DEFAULTS, FAULT_KINDS } from "./types.js";
export { startEmulator } from "./server.js";
export { advanceStoredClock } from "./store.js";
