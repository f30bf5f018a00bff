//! Detectors shared by every family that reads values: identifier values
//! ([`identifiers`]: national IDs, phones, e-mail, plates, addresses, as
//! defined in `suites/detectors/`, [`definitions`]) and precision and
//! time-bucket rules (`coarsening`). They decide nothing about profiles;
//! checks in the families call them.

pub(crate) mod coarsening;
pub mod definitions;
pub mod identifiers;
pub(crate) mod validators;
