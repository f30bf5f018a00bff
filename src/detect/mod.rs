//! Detectors shared by every family that reads values: identifier values
//! ([`identifiers`]: national IDs, phones, e-mail, plates, addresses, as
//! defined in `suites/detectors/`, [`definitions`]) and precision and
//! time-bucket rules (`coarsening`). They decide nothing about profiles;
//! checks in the families call them. Names that are data
//! (member names, headers, pointer segments) are shown through
//! [`placeholder`], which hides those holding an identifier.

pub(crate) mod coarsening;
pub mod definitions;
pub mod identifiers;
pub mod placeholder;
pub(crate) mod validators;
