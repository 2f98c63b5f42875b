// The core's counters: one f64 array in linear memory (counterPtr()), indexed by abi.C_*.
// f64 so that byte totals and microsecond timestamps stay exact past 2^32 (integers up to 2^53).
import * as abi from "./abi";

export const COUNTERS: usize = memory.data(abi.COUNTER_COUNT * 8, 16);

@inline export function cAdd(id: i32, n: f64): void {
  store<f64>(COUNTERS + (<usize>id << 3), load<f64>(COUNTERS + (<usize>id << 3)) + n);
}
@inline export function cInc(id: i32): void {
  cAdd(id, 1.0);
}
@inline export function cSet(id: i32, v: f64): void {
  store<f64>(COUNTERS + (<usize>id << 3), v);
}
@inline export function cGet(id: i32): f64 {
  return load<f64>(COUNTERS + (<usize>id << 3));
}
export function countersClear(): void {
  memory.fill(COUNTERS, 0, abi.COUNTER_COUNT * 8);
}
