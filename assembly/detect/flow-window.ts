// STUB (helper B1 replaces this file): flow features per tumbling window.
export function flowWindowReset(): void {}
@inline export function flowWindowPacket(s: usize, isOrig: bool, fresh: bool, newestUs: i64): void {}
export function flowWindowEnd(s: usize, why: i32): void {}
/** Pending window-boundary work; returns false when it ran out of output room. */
export function flowWindowCatchUp(): bool { return true; }
