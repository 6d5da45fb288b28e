//! Kubernetes objects: the kinds kubesim holds, and the pure functions the
//! apiserver applies to them (defaulting, validation, selectors, quantities,
//! manifest decoding, patches).

pub mod defaults;
pub mod kinds;
pub mod manifest;
pub mod patch;
pub mod quantity;
pub mod selectors;
pub mod validation;
pub mod validation_update;

pub use kinds::{Kind, KubeObject, Object};
