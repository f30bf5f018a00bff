//! Rebuilds the crate when a file is added to or removed from the folders
//! it embeds (`src/embedded.rs`): `include_dir!` tracks the files it read,
//! not the folders, so a new profile or list would otherwise be missing
//! until some other change.

fn main() {
    println!("cargo:rerun-if-changed=suites");
    println!("cargo:rerun-if-changed=schemas");
}
