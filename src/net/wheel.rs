//! The engine's event queue: a hierarchical timing wheel in integer
//! microseconds (the structure of the Linux kernel's `kernel/time/timer.c`
//! and tokio's `runtime/time/wheel`), popping events in exactly the order
//! a binary heap keyed by (time, insertion sequence) would.
//!
//! Eleven levels of 64 slots: level L holds the events whose time first
//! differs from the wheel's clock (`elapsed`) in bits 6L..6L+5, so level 0
//! holds one microsecond per slot, level 2 about 4 ms, level 3 about 0.26 s.
//! Finding the next event is a few bit scans; an event is moved down a
//! level at most once per level ("cascading") instead of sifting through a
//! heap of thousands on every push and pop. Each slot is FIFO and
//! cascading keeps the slot's order, so events due at the same
//! microsecond come out in the order they were scheduled.

use super::latency::Micros;

const BITS: u32 = 6;
const SLOTS: usize = 1 << BITS;
/// Enough levels for any u64 time (11 × 6 bits ≥ 64).
const LEVELS: usize = 11;

pub(crate) struct Wheel<T> {
    slots: Vec<Vec<(Micros, T)>>,
    /// One bit per non-empty slot, per level.
    occupied: [u64; LEVELS],
    /// The wheel's clock: no event is earlier, except ones scheduled in
    /// the past, which wait in `ready`.
    elapsed: Micros,
    /// Events taken out of a level-0 slot (all due at `elapsed`), in
    /// order, from `ready_pos` on (the slot's own buffer, swapped out).
    ready: Vec<(Micros, T)>,
    ready_pos: usize,
    /// Spare buffer for cascading.
    spare: Vec<(Micros, T)>,
    len: usize,
}

impl<T: Copy> Default for Wheel<T> {
    fn default() -> Self {
        Wheel {
            slots: (0..SLOTS * LEVELS).map(|_| Vec::new()).collect(),
            occupied: [0; LEVELS],
            elapsed: 0,
            ready: Vec::new(),
            ready_pos: 0,
            spare: Vec::new(),
            len: 0,
        }
    }
}

impl<T: Copy> Wheel<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    /// Schedules `item` at `t`, after every item already scheduled at `t`.
    #[inline]
    pub fn push(&mut self, t: Micros, item: T) {
        self.len += 1;
        if t < self.elapsed {
            // In the past (not done by the engine): it is due before
            // anything on the wheel, after the ready ones due no later.
            let at = self.ready_pos + self.ready[self.ready_pos..].partition_point(|e| e.0 <= t);
            self.ready.insert(at, (t, item));
            return;
        }
        self.place(t, item);
    }

    #[inline]
    fn place(&mut self, t: Micros, item: T) {
        let diff = t ^ self.elapsed;
        let level = if diff == 0 {
            0
        } else {
            ((63 - diff.leading_zeros()) / BITS) as usize
        };
        let slot = ((t >> (BITS * level as u32)) as usize) & (SLOTS - 1);
        self.slots[level * SLOTS + slot].push((t, item));
        self.occupied[level] |= 1 << slot;
    }

    /// The first non-empty slot: the lowest occupied level holds the
    /// earliest events, in its first occupied slot (never behind the
    /// clock's own slot, which only level 0 can hold).
    #[inline]
    fn next_slot(&self) -> Option<(usize, usize)> {
        let level = self.occupied.iter().position(|o| *o != 0)?;
        Some((level, self.occupied[level].trailing_zeros() as usize))
    }

    /// The time a slot of a level starts at (in the clock's rotation).
    #[inline]
    fn slot_start(&self, level: usize, slot: usize) -> Micros {
        let shift = BITS * (level as u32 + 1);
        let high = if shift >= 64 {
            0
        } else {
            self.elapsed & (!0u64 << shift)
        };
        high | ((slot as u64) << (BITS * level as u32))
    }

    /// The time of the earliest event.
    pub fn peek_time(&self) -> Option<Micros> {
        if let Some(e) = self.ready.get(self.ready_pos) {
            return Some(e.0);
        }
        let (level, slot) = self.next_slot()?;
        if level == 0 {
            return Some(self.slot_start(0, slot));
        }
        self.slots[level * SLOTS + slot].iter().map(|e| e.0).min()
    }

    /// Removes and returns the earliest event if it is due at or before
    /// `limit`. The clock never passes `limit` (later pushes at or after
    /// `limit` stay in order).
    #[inline]
    pub fn pop_until(&mut self, limit: Micros) -> Option<(Micros, T)> {
        loop {
            if let Some(&e) = self.ready.get(self.ready_pos) {
                if e.0 > limit {
                    return None;
                }
                self.len -= 1;
                self.ready_pos += 1;
                if self.ready_pos == self.ready.len() {
                    self.ready.clear();
                    self.ready_pos = 0;
                }
                return Some(e);
            }
            let (level, slot) = self.next_slot()?;
            let start = self.slot_start(level, slot);
            if start > limit {
                return None;
            }
            self.elapsed = start;
            self.occupied[level] &= !(1 << slot);
            let i = level * SLOTS + slot;
            if level == 0 {
                // One microsecond: every event in it is due at `start`.
                // `ready` is empty here: the slot's buffer becomes it.
                std::mem::swap(&mut self.ready, &mut self.slots[i]);
            } else {
                // Cascade: the events go to lower levels, in order.
                let mut moving =
                    std::mem::replace(&mut self.slots[i], std::mem::take(&mut self.spare));
                for (t, item) in moving.drain(..) {
                    self.place(t, item);
                }
                self.spare = moving;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::SimRng;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    /// The wheel pops what a heap of (time, sequence) pops, through pushes
    /// at every distance (same microsecond, level boundaries, far future)
    /// interleaved with runs up to a limit and peeks, as the engine does.
    #[test]
    fn pops_in_heap_order() {
        for seed in 0..20u64 {
            let mut rng = SimRng::stream(seed, "wheel-test");
            let mut wheel: Wheel<u64> = Wheel::default();
            let mut heap = BinaryHeap::new();
            let mut seq = 0u64;
            let mut now: Micros = rng.below(1 << 20);
            let mut out_w = Vec::new();
            let mut out_h = Vec::new();
            for _ in 0..400 {
                for _ in 0..rng.below(8) {
                    let d = match rng.below(6) {
                        0 => 0,
                        1 => rng.below(64),
                        2 => rng.below(5_000),
                        3 => rng.below(300_000),
                        4 => rng.below(20_000_000),
                        _ => 63 << (6 * rng.below(7)),
                    };
                    seq += 1;
                    wheel.push(now + d, seq);
                    heap.push(Reverse((now + d, seq)));
                }
                assert_eq!(wheel.peek_time(), heap.peek().map(|r| r.0 .0));
                assert_eq!(wheel.len(), heap.len());
                let limit = now + rng.below(200_000);
                // Events run may schedule more at or after their own time.
                while let Some((t, s)) = wheel.pop_until(limit) {
                    out_w.push((t, s));
                    if s % 3 == 0 {
                        seq += 1;
                        let d = rng.below(3) * rng.below(100);
                        wheel.push(t + d, seq);
                        heap.push(Reverse((t + d, seq)));
                    }
                    let Reverse(h) = heap.pop().unwrap();
                    out_h.push(h);
                    assert_eq!(out_w.last(), out_h.last());
                }
                assert!(heap.peek().is_none_or(|r| r.0 .0 > limit));
                now = limit;
            }
            assert_eq!(out_w, out_h);
        }
    }

    /// An event scheduled behind the clock still comes first.
    #[test]
    fn past_events_come_first() {
        let mut w: Wheel<u32> = Wheel::default();
        w.push(1_000, 1);
        w.push(5_000_000, 2);
        assert_eq!(w.pop_until(1_000), Some((1_000, 1)));
        assert_eq!(w.pop_until(4_000_000), None);
        w.push(4_000_000, 3);
        w.push(10, 4);
        assert_eq!(w.peek_time(), Some(10));
        assert_eq!(w.pop_until(u64::MAX), Some((10, 4)));
        assert_eq!(w.pop_until(u64::MAX), Some((4_000_000, 3)));
        assert_eq!(w.pop_until(u64::MAX), Some((5_000_000, 2)));
        assert_eq!(w.pop_until(u64::MAX), None);
        assert_eq!(w.len(), 0);
    }
}
