//! The world: the store, the event queue and the components, owned by one
//! thread and advanced one event at a time (architecture principle 1).

use super::queue::EventQueue;
use super::rng::SimRng;
use super::store::Store;
use super::time::SimTime;
use crate::controllers::{Action, Controller, Ctx, Enqueue, Pending};
use std::collections::BTreeMap;
use std::time::Duration;

/// Something scheduled to happen at a virtual time.
#[derive(Clone, Debug)]
pub enum SimEvent {
    /// Reconcile `key` in controller number `controller`.
    Reconcile { controller: usize, key: String },
}

/// The simulated cluster.
pub struct World {
    pub store: Store,
    /// What programs wrote on volumes, outside the API (consul's data
    /// directory): by volume (`pv/NAME`, `pod/UID`), then by key.
    pub volume_data: BTreeMap<String, BTreeMap<String, String>>,
    queue: EventQueue<SimEvent>,
    controllers: Vec<Box<dyn Controller>>,
    pending: Vec<Pending>,
    rngs: Vec<SimRng>,
    watch_cursor: u64,
    now: SimTime,
    seed: u64,
    log: Vec<String>,
    events_processed: u64,
}

impl World {
    /// An empty world; virtual time 0 corresponds to `epoch`.
    pub fn new(seed: u64, epoch: jiff::Timestamp) -> World {
        let store = Store::new(seed, epoch);
        let cursor = store.resource_version();
        World {
            store,
            volume_data: BTreeMap::new(),
            queue: EventQueue::new(),
            controllers: Vec::new(),
            pending: Vec::new(),
            rngs: Vec::new(),
            watch_cursor: cursor,
            now: SimTime::ZERO,
            seed,
            log: Vec::new(),
            events_processed: 0,
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }
    pub fn now(&self) -> SimTime {
        self.now
    }
    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    /// Adds a controller. Existing objects reach it as ADDED events: it
    /// starts with a full resync, as an informer does.
    pub fn add_controller(&mut self, c: Box<dyn Controller>) {
        let idx = self.controllers.len();
        self.rngs.push(SimRng::stream(self.seed, c.name()));
        self.controllers.push(c);
        self.pending.push(Pending::default());
        // Initial list: every current object as an ADDED event.
        let mut q = Enqueue::default();
        let objs: Vec<_> = crate::objects::Kind::ALL
            .iter()
            .flat_map(|k| self.store.iter(*k, None).cloned().collect::<Vec<_>>())
            .collect();
        for o in objs {
            let ev = super::store::WatchEvent {
                rv: self.store.resource_version(),
                event_type: super::store::WatchEventType::Added,
                object: o,
                old: None,
            };
            self.controllers[idx].on_change(&ev, &self.store, &mut q);
        }
        self.enqueue(idx, q);
    }

    /// A controller by type, for front ends that read its state (logs,
    /// scheduler decisions).
    pub fn controller<T: Controller>(&self) -> Option<&T> {
        self.controllers
            .iter()
            .find_map(|c| c.as_any().downcast_ref::<T>())
    }
    pub fn controller_mut<T: Controller>(&mut self) -> Option<&mut T> {
        self.controllers
            .iter_mut()
            .find_map(|c| c.as_any_mut().downcast_mut::<T>())
    }

    /// Asks controller `T` to reconcile `key` now (front ends use this after
    /// changing a controller's own state, e.g. failing a node).
    pub fn poke<T: Controller>(&mut self, key: &str) {
        if let Some(idx) = self.controllers.iter().position(|c| c.as_any().is::<T>()) {
            let mut q = Enqueue::default();
            q.add(key);
            self.enqueue(idx, q);
        }
    }

    fn enqueue(&mut self, idx: usize, q: Enqueue) {
        for (key, delay) in q.keys {
            let at = self.now + delay;
            let pending = &mut self.pending[idx].at;
            if let Some((t, id)) = pending.get(&key).copied() {
                if t <= at {
                    continue; // already due earlier: one pending reconcile per key
                }
                self.queue.cancel(id);
            }
            let id = self.queue.schedule(
                at,
                SimEvent::Reconcile {
                    controller: idx,
                    key: key.clone(),
                },
            );
            pending.insert(key, (at, id));
        }
    }

    /// Delivers store changes since the last call to every controller.
    fn dispatch_watch(&mut self) {
        loop {
            // Nothing written since the last delivery (the common case
            // between traffic events): skip the history search.
            if self.store.resource_version() <= self.watch_cursor && self.store.audit.is_empty() {
                break;
            }
            let events: Vec<_> = match self.store.events_since(self.watch_cursor) {
                Ok(it) => it.cloned().collect(),
                Err(_) => Vec::new(),
            };
            if events.is_empty() {
                break;
            }
            self.watch_cursor = events.last().map(|e| e.rv).unwrap_or(self.watch_cursor);
            for idx in 0..self.controllers.len() {
                let mut q = Enqueue::default();
                for ev in &events {
                    self.controllers[idx].on_change(ev, &self.store, &mut q);
                }
                self.enqueue(idx, q);
            }
        }
        self.log.append(&mut self.store.audit);
    }

    /// The time of the next scheduled event, if any.
    pub fn next_event_time(&mut self) -> Option<SimTime> {
        self.dispatch_watch();
        self.queue.peek_time()
    }

    /// Runs the next event if it is due at or before `limit`.
    pub fn step(&mut self, limit: SimTime) -> bool {
        self.dispatch_watch();
        let Some((at, _, ev)) = self.queue.pop_due(limit) else {
            return false;
        };
        self.now = at;
        self.store.set_now(at);
        self.events_processed += 1;
        match ev {
            SimEvent::Reconcile { controller, key } => {
                self.pending[controller].at.remove(&key);
                let mut ctx = Ctx {
                    now: at,
                    store: &mut self.store,
                    rng: &mut self.rngs[controller],
                    log: &mut self.log,
                };
                let action = self.controllers[controller].reconcile(&key, &mut ctx);
                if let Action::RequeueAfter(d) = action {
                    let mut q = Enqueue::default();
                    q.add_after(key, d);
                    self.enqueue(controller, q);
                }
            }
        }
        self.dispatch_watch();
        true
    }

    /// Runs every event up to and including `t`, then sets the clock to `t`
    /// exactly, even if no event falls there.
    pub fn run_until(&mut self, t: SimTime) {
        while self.step(t) {}
        if t > self.now {
            self.now = t;
            self.store.set_now(t);
        }
        self.dispatch_watch();
    }

    /// Advances virtual time by `d` (as fast as possible).
    pub fn advance(&mut self, d: Duration) {
        self.run_until(self.now + d);
    }

    /// Runs pending work due now (after a command wrote to the store).
    pub fn settle(&mut self) {
        self.run_until(self.now);
    }

    /// The simulation's own event log: every store write and every
    /// controller log line, with its virtual time.
    pub fn event_log(&self) -> &[String] {
        &self.log
    }
}
