// STUB (to be replaced by the tables/detector owner): per-packet analysis after decoding.
export function analyzeReset(): void {}
/** Called once per decoded packet with the globals of packet.ts filled in. */
export function analyzePacket(): void {}
/** True when the alert and trace regions can take one more packet's output. */
export function analyzeHasRoom(): bool { return true; }
export function alertBase(): usize { return 0; }
export function alertCount(): i32 { return 0; }
export function traceBase(): usize { return 0; }
export function traceCount(): i32 { return 0; }
export function traceKeyBase(): usize { return 0; }
export function clearOutput(): void {}
