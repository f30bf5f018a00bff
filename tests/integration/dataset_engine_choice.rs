//! `dataset --engine`: what every build says about an engine it was
//! built without, a name it does not know, and a setting given to the
//! wrong engine. Each exits 2 before any data is read.

use crate::common::{expect_exit, run};

fn dataset(extra: &[&str]) -> String {
    let mut args = vec![
        "dataset",
        "fixtures/datasets/pass-all.csv",
        "-d",
        "fixtures/datasets/trips.toml",
    ];
    args.extend(extra);
    expect_exit(&run(&args), 2)
}

#[cfg(not(feature = "datafusion"))]
#[test]
fn datafusion_in_a_build_without_it_says_how_to_build_it() {
    let text = dataset(&["--engine", "datafusion"]);
    assert!(
        text.contains("cargo build --release --features datafusion"),
        "{text}"
    );
}

#[cfg(not(feature = "ballista"))]
#[test]
fn ballista_in_a_build_without_it_says_how_to_build_it() {
    let text = dataset(&["--engine", "ballista://127.0.0.1:50050"]);
    assert!(
        text.contains("cargo build --release --features ballista"),
        "{text}"
    );
}

#[test]
fn an_unknown_engine_lists_the_engines() {
    let text = dataset(&["--engine", "spark"]);
    assert!(text.contains("ballista://HOST:PORT"), "{text}");
    let text = dataset(&["--engine", "ballista://nohost"]);
    assert!(text.contains("ballista://HOST:PORT"), "{text}");
}

#[test]
fn a_setting_for_another_engine_is_refused() {
    let text = dataset(&["--memory-limit", "1G"]);
    assert!(text.contains("--engine datafusion"), "{text}");
    let text = dataset(&["--engine", "datafusion", "--cluster-timeout", "5"]);
    assert!(text.contains("--cluster-timeout"), "{text}");
    let text = dataset(&["--engine", "datafusion", "--memory-limit", "lots"]);
    assert!(text.contains("memory size"), "{text}");
}
