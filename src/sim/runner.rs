//! The simulation thread: one owner for the world (architecture principle 1).
//!
//! [`spawn`] moves a [`World`] onto its own thread. Front ends (the HTTP API,
//! the REPL, the TUI) hold a cloneable [`SimHandle`] and send it closures that
//! run on that thread *between* events, at the current virtual time. The
//! runner is also the pacing edge: in paced mode it maps wall time to virtual
//! time with a [`Pacer`]; in as-fast-as-possible mode it runs events back to
//! back. Both modes execute the same events in the same order, so one seed
//! gives one event log either way.
//!
//! Every time the store's resourceVersion moves, the runner publishes it on a
//! `tokio::sync::watch` channel so that watch streams wake up.

use super::pacing::Pacer;
use super::time::SimTime;
use super::world::World;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How the runner maps virtual time to wall time.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Pacing {
    /// Run every event back to back (tests, scripts, benchmarks).
    AsFastAsPossible,
    /// Follow the wall clock times `speed` (1.0 = real time).
    Paced { speed: f64 },
}

/// A command: runs on the world and returns how to deliver its result, so
/// the runner can publish the new resourceVersion before the caller sees
/// the answer (a caller that wrote then watches misses nothing).
type Job = Box<dyn FnOnce(&mut World) -> Deliver + Send>;
type Deliver = Box<dyn FnOnce() + Send>;

enum Msg {
    Call(Job),
    Pause,
    Resume,
    SetSpeed(f64),
    Stop,
}

/// Longest wall-clock wait between two looks at the pacer, so that speed
/// changes and stop requests are never stuck behind a distant event.
const MAX_WAIT: Duration = Duration::from_millis(50);

/// A handle on the simulation thread: cheap to clone, usable from any thread
/// and from async code.
#[derive(Clone)]
pub struct SimHandle {
    tx: mpsc::Sender<Msg>,
    changes: tokio::sync::watch::Receiver<u64>,
}

/// The simulation thread stopped (the world is gone).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the simulation has stopped")]
pub struct Stopped;

impl SimHandle {
    /// Runs `f` on the simulation thread at the current virtual time and
    /// waits for its result. Panics only if the simulation thread is gone.
    pub fn call<R: Send + 'static>(&self, f: impl FnOnce(&mut World) -> R + Send + 'static) -> R {
        self.try_call(f).expect("simulation thread stopped")
    }

    /// [`SimHandle::call`] that reports a stopped simulation as an error.
    pub fn try_call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut World) -> R + Send + 'static,
    ) -> Result<R, Stopped> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.tx
            .send(Msg::Call(Box::new(move |w| {
                let r = f(w);
                Box::new(move || {
                    let _ = tx.send(r);
                })
            })))
            .map_err(|_| Stopped)?;
        rx.recv().map_err(|_| Stopped)
    }

    /// The async form of [`SimHandle::call`], for request handlers.
    pub async fn call_async<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut World) -> R + Send + 'static,
    ) -> Result<R, Stopped> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.tx
            .send(Msg::Call(Box::new(move |w| {
                let r = f(w);
                Box::new(move || {
                    let _ = tx.send(r);
                })
            })))
            .map_err(|_| Stopped)?;
        rx.await.map_err(|_| Stopped)
    }

    /// Stops virtual time (commands still run, at the frozen time).
    pub fn pause(&self) {
        let _ = self.tx.send(Msg::Pause);
    }
    pub fn resume(&self) {
        let _ = self.tx.send(Msg::Resume);
    }
    /// Changes the speed factor of a paced runner (re-anchors the pacer).
    pub fn set_speed(&self, speed: f64) {
        let _ = self.tx.send(Msg::SetSpeed(speed));
    }
    /// Ends the simulation thread after the commands already sent.
    pub fn stop(&self) {
        let _ = self.tx.send(Msg::Stop);
    }

    /// A receiver of the store's latest resourceVersion: it changes after
    /// every batch of writes (watch streams wait on it).
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.clone()
    }
}

/// Starts the simulation thread with `world`, running forever.
pub fn spawn(world: World, pacing: Pacing) -> SimHandle {
    spawn_until(world, pacing, None)
}

/// Like [`spawn`], but virtual time stops (pauses) at `horizon`, landing on
/// it exactly: tests compare runs over the same virtual span this way.
pub fn spawn_until(world: World, pacing: Pacing, horizon: Option<SimTime>) -> SimHandle {
    let (tx, rx) = mpsc::channel();
    let (ctx, crx) = tokio::sync::watch::channel(world.store.resource_version());
    std::thread::Builder::new()
        .name("kubesim-world".into())
        .spawn(move || {
            Runner {
                world,
                rx,
                changes: ctx,
                pacing,
                horizon,
                paused: false,
            }
            .run()
        })
        .expect("spawn the simulation thread");
    SimHandle { tx, changes: crx }
}

struct Runner {
    world: World,
    rx: mpsc::Receiver<Msg>,
    changes: tokio::sync::watch::Sender<u64>,
    pacing: Pacing,
    horizon: Option<SimTime>,
    paused: bool,
}

/// The wall clock, read only here: the runner is the pacing edge
/// (architecture principle 2), so this is the one allowed call.
#[allow(clippy::disallowed_methods)]
fn wall_now() -> Instant {
    Instant::now()
}

impl Runner {
    fn run(mut self) {
        let mut pacer = match self.pacing {
            Pacing::Paced { speed } => Some(Pacer::new(self.world.now(), wall_now(), speed)),
            Pacing::AsFastAsPossible => None,
        };
        loop {
            // 1. Commands that are already waiting run first, at the current time.
            loop {
                match self.rx.try_recv() {
                    Ok(msg) => {
                        if !self.apply(msg, &mut pacer) {
                            return;
                        }
                    }
                    Err(mpsc::TryRecvError::Empty) => break,
                    Err(mpsc::TryRecvError::Disconnected) => return,
                }
            }
            // 2. Advance virtual time.
            let wait = if self.paused {
                None
            } else {
                match &pacer {
                    Some(p) => self.advance_paced(p),
                    None => self.advance_fast(),
                }
            };
            self.publish();
            // 3. Wait for the next event's wall time or the next command.
            let msg = match wait {
                Some(d) if d.is_zero() => continue,
                Some(d) => match self.rx.recv_timeout(d.min(MAX_WAIT)) {
                    Ok(m) => m,
                    Err(mpsc::RecvTimeoutError::Timeout) => continue,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                },
                None => match self.rx.recv() {
                    Ok(m) => m,
                    Err(_) => return,
                },
            };
            if !self.apply(msg, &mut pacer) {
                return;
            }
        }
    }

    /// Runs what is due by the pacer's target; returns how long to wait.
    fn advance_paced(&mut self, p: &Pacer) -> Option<Duration> {
        let mut target = p.target(wall_now());
        if let Some(h) = self.horizon {
            target = target.min(h);
        }
        if target > self.world.now() {
            self.world.run_until(target);
        }
        if self.horizon.is_some_and(|h| self.world.now() >= h) {
            self.paused = true;
            return None;
        }
        let next = self.world.next_event_time();
        let until = next.map(|t| match self.horizon {
            Some(h) => t.min(h),
            None => t,
        });
        match until.or(self.horizon) {
            Some(t) => p.wall_until(t, wall_now()),
            // Nothing scheduled: look again soon, since time still flows.
            None => Some(MAX_WAIT),
        }
    }

    /// Runs one event (commands are checked between events); returns
    /// `Some(0)` to loop at once, `None` when there is nothing left to do.
    fn advance_fast(&mut self) -> Option<Duration> {
        let limit = self.horizon.unwrap_or(SimTime(u64::MAX));
        if self.world.step(limit) {
            return Some(Duration::ZERO);
        }
        if let Some(h) = self.horizon {
            if self.world.now() < h {
                self.world.run_until(h);
            }
            self.paused = true;
        }
        None
    }

    /// Applies one message; false means stop.
    fn apply(&mut self, msg: Msg, pacer: &mut Option<Pacer>) -> bool {
        match msg {
            Msg::Call(job) => {
                // The command runs at the virtual time the wall clock says.
                if let (Some(p), false) = (pacer.as_ref(), self.paused) {
                    let mut target = p.target(wall_now());
                    if let Some(h) = self.horizon {
                        target = target.min(h);
                    }
                    if target > self.world.now() {
                        self.world.run_until(target);
                    }
                }
                let deliver = job(&mut self.world);
                self.publish();
                deliver();
            }
            Msg::Pause => {
                if let Some(p) = pacer.as_mut() {
                    // Land the clock where the wall says, then freeze it there.
                    let target = p.target(wall_now());
                    if !self.paused && target > self.world.now() {
                        self.world.run_until(target);
                    }
                    p.pause(wall_now());
                    p.jump_to(self.world.now(), wall_now());
                }
                self.paused = true;
            }
            Msg::Resume => {
                if let Some(p) = pacer.as_mut() {
                    p.jump_to(self.world.now(), wall_now());
                    p.resume(wall_now());
                }
                self.paused = false;
            }
            Msg::SetSpeed(s) => {
                if let Some(p) = pacer.as_mut() {
                    p.set_speed(s, wall_now());
                }
            }
            Msg::Stop => return false,
        }
        true
    }

    fn publish(&self) {
        let rv = self.world.store.resource_version();
        self.changes.send_if_modified(|v| {
            if *v != rv {
                *v = rv;
                true
            } else {
                false
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::workshop_world;

    fn log_of(pacing: Pacing) -> (Vec<String>, SimTime) {
        let h = spawn_until(workshop_world(7), pacing, Some(SimTime::from_secs(60)));
        // Wait until the horizon is reached (bounded: 60 s virtual at 1000× is 60 ms).
        for _ in 0..2000 {
            if h.call(|w| w.now()) >= SimTime::from_secs(60) {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let out = h.call(|w| (w.event_log().to_vec(), w.now()));
        h.stop();
        out
    }

    #[test]
    fn same_seed_same_log_in_both_pacing_modes() {
        let (fast, t1) = log_of(Pacing::AsFastAsPossible);
        let (paced, t2) = log_of(Pacing::Paced { speed: 1000.0 });
        assert_eq!(t1, SimTime::from_secs(60));
        assert_eq!(t2, SimTime::from_secs(60));
        assert!(!fast.is_empty());
        assert_eq!(fast, paced);
    }

    #[test]
    fn commands_run_on_the_world_and_publish_changes() {
        let h = spawn(workshop_world(1), Pacing::Paced { speed: 1.0 });
        let mut rx = h.changes();
        let before = *rx.borrow_and_update();
        let ns: k8s_openapi::api::core::v1::Namespace = serde_json::from_value(
            serde_json::json!({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"}}),
        )
        .unwrap();
        let rv = h.call(move |w| {
            use crate::objects::KubeObject;
            w.store
                .create(ns.into_object(), &Default::default())
                .unwrap();
            w.store.resource_version()
        });
        assert!(rv > before);
        // Controllers may have written since: the published version is at least ours.
        assert!(*rx.borrow_and_update() >= rv);
        h.pause();
        let t = h.call(|w| w.now());
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(h.call(|w| w.now()), t, "paused time does not move");
        h.stop();
    }
}
