//! DefaultBinder: binds through the API (`POST pods/NAME/binding`). The
//! scheduler performs the store write; the plugin marks the Bind point.
//! Upstream: `pkg/scheduler/framework/plugins/defaultbinder/default_binder.go`.

use crate::scheduler::framework::{points, Plugin};

pub const NAME: &str = "DefaultBinder";

pub struct DefaultBinder;

impl Plugin for DefaultBinder {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u16 {
        points::BIND
    }
}
