// STUB (helper B2 replaces this file): BLACKLIST, LARGESIZE and UNUSUAL.
export function flowRulesReset(): void {}
export function flowRulesPacket(): void {}
export function flowRulesEnd(s: usize, why: i32): void {}
