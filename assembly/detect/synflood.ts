// STUB (helper A replaces this file): SYNFLOOD (per destination, spread).
export function synfloodReset(): void {}
export function synfloodPacket(): void {}
export function synfloodSweep(): void {}
export function synfloodFlush(): bool { return true; }
