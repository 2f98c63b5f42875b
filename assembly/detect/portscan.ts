// STUB (helper A replaces this file): PORTSCAN (ports, SYN, address scan).
export function portscanReset(): void {}
export function portscanPacket(): void {}
export function portscanSweep(): void {}
export function portscanFlush(): bool { return true; }
