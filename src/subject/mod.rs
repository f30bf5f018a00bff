//! Subjects: what is checked. This module finds them and reads them; it
//! decides nothing about them.

pub mod payload;
