//! The event queue: events ordered by (time, insertion sequence), so that
//! events scheduled for the same instant always run in the order they were
//! scheduled. Timers can be cancelled by the id `schedule` returns.

use super::time::SimTime;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

/// Identifies one scheduled event, so it can be cancelled.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimerId(pub u64);

/// A min-queue of `E` keyed by (time, sequence).
#[derive(Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<(SimTime, u64)>>,
    // Payloads by sequence number; a cancelled event is simply removed here
    // and skipped when its heap entry surfaces.
    payloads: BTreeMap<u64, E>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            payloads: BTreeMap::new(),
            next_seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules `event` at `at`; returns a handle to cancel it.
    pub fn schedule(&mut self, at: SimTime, event: E) -> TimerId {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Reverse((at, seq)));
        self.payloads.insert(seq, event);
        TimerId(seq)
    }

    /// Cancels a scheduled event. Returns it if it had not run yet.
    pub fn cancel(&mut self, id: TimerId) -> Option<E> {
        self.payloads.remove(&id.0)
    }

    /// The time of the next live event.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        while let Some(Reverse((t, seq))) = self.heap.peek().copied() {
            if self.payloads.contains_key(&seq) {
                return Some(t);
            }
            self.heap.pop();
        }
        None
    }

    /// Removes and returns the next event if it is due at or before `limit`.
    pub fn pop_due(&mut self, limit: SimTime) -> Option<(SimTime, TimerId, E)> {
        let t = self.peek_time()?;
        if t > limit {
            return None;
        }
        let Reverse((t2, seq)) = self.heap.pop()?;
        debug_assert_eq!(t, t2);
        let e = self.payloads.remove(&seq)?;
        Some((t, TimerId(seq), e))
    }

    pub fn len(&self) -> usize {
        self.payloads.len()
    }

    pub fn is_empty(&self) -> bool {
        self.payloads.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_times_pop_in_insertion_order() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(10), "b");
        q.schedule(SimTime(5), "a");
        q.schedule(SimTime(10), "c");
        q.schedule(SimTime(10), "d");
        let order: Vec<_> =
            std::iter::from_fn(|| q.pop_due(SimTime(100)).map(|(_, _, e)| e)).collect();
        assert_eq!(order, vec!["a", "b", "c", "d"]);
    }

    #[test]
    fn cancelled_timers_never_fire() {
        let mut q = EventQueue::new();
        let a = q.schedule(SimTime(1), "a");
        q.schedule(SimTime(2), "b");
        assert_eq!(q.cancel(a), Some("a"));
        assert_eq!(q.cancel(a), None);
        assert_eq!(q.peek_time(), Some(SimTime(2)));
        assert_eq!(q.pop_due(SimTime(1)).map(|x| x.2), None);
        assert_eq!(q.pop_due(SimTime(2)).map(|x| x.2), Some("b"));
        assert!(q.is_empty());
    }
}
