//! Data-flow governance: the declaration a platform publishes of its flows
//! of personal data, the named lists profiles refer to (adequate countries,
//! recognised certifications), the checks that judge each flow under each
//! profile's data-flow requirements, and the engine that sums them into
//! the one result model with a matrix of flows by profile.
//!
//! Records exchanged under a declaration are checked against it by the
//! payload check in [`payload`].

pub mod checks;
mod declaration;
mod engine;
mod json_lines;
pub mod lists;
pub mod payload;
pub mod transfer;

pub use declaration::{
    Certification, Consent, DataState, Declaration, Flow, Party, Platform, Processor, Recipient,
    Transfer,
};
pub use engine::{FlowPlan, judge};
pub use lists::{List, Lists};
