//! The data-flow family: every flow of a platform's data-flow declaration
//! ([`crate::declaration`]) judged under each profile's data-flow
//! requirements ([`checks`], with the cross-border rule in [`transfer`]),
//! summed into the one result model with a matrix of flows by profile
//! ([`judge`]). The named lists profiles refer to are suites data
//! ([`crate::catalog::lists`]); records exchanged under a declaration are
//! checked by the payload family ([`crate::payload::declared_flow`]).

pub mod checks;
mod engine;
pub mod transfer;
pub mod visual;

pub use engine::{FlowPlan, judge, plan};
