//! The simulation core: virtual time, the event queue, seeded randomness,
//! pacing, the object store and the world that ties them together.

pub mod pacing;
pub mod queue;
pub mod rng;
pub mod runner;
pub mod store;
pub mod time;
pub mod world;

pub use time::SimTime;
pub use world::World;
