//! The integration tests, built as one binary so that the library and its
//! dependencies are linked once: one module per area (see the "Tests"
//! section of `ARCHITECTURE.md`), sharing `common`.

mod common;

mod audit_memory;
mod bounded_findings;
mod carets;
mod certification_properties;
mod check;
mod ci_formats;
mod citations;
mod cli;
mod corpus;
mod cors;
mod dataset;
#[cfg(feature = "ballista")]
mod dataset_ballista;
mod dataset_classes;
mod dataset_engine_choice;
#[cfg(feature = "datafusion")]
mod dataset_engines;
mod dataset_parquet;
mod dataset_properties;
mod detectors;
mod flows;
mod flows_properties;
mod gbfs;
mod hostile;
mod hostile_report;
mod html_chromium;
mod identifier_corpus;
mod law;
mod layers;
mod live;
mod ngsi_ld;
mod ngsi_v2;
mod open_data;
mod policy;
mod positions;
mod properties;
mod pycanon;
mod pygeoapi;
mod readings;
mod readme;
mod recording;
mod reference;
mod reference_gbfs;
mod reference_ogc;
mod renderers;
mod replaced_profiles;
mod report_paths;
mod reports;
mod representations;
mod reproduce;
mod reveal;
mod schemas;
mod schemathesis;
mod special_files;
mod standards;
