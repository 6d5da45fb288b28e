//! PrioritySort: the queue order — higher priority first, then the earlier
//! queue timestamp. The queue implements it (`queue.rs`); the plugin
//! exists so profiles can name it.
//! Upstream: `pkg/scheduler/framework/plugins/queuesort/priority_sort.go`.

use crate::scheduler::framework::{points, Plugin};

pub const NAME: &str = "PrioritySort";

pub struct PrioritySort;

impl Plugin for PrioritySort {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u16 {
        points::QUEUE_SORT
    }
}
