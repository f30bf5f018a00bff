//! Where `--report FORMAT=PATH` may write: a new or regular file (replaced
//! whole), a FIFO or character device (written directly, never replaced);
//! never a directory, a socket, an input or a target's token file.

use std::path::Path;
use std::process::Output;

use crate::common;

const INVALID: &str = "fixtures/payloads/invalid/id-email.json";

fn validate_to(report: &Path) -> Output {
    let report = format!("json={}", report.display());
    common::run(&["validate", INVALID, "--report", &report, "-q"])
}

#[cfg(unix)]
#[test]
fn a_fifo_is_written_directly_and_stays_a_fifo() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("report.pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo failed");
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap_or_default())
    };
    let output = validate_to(&fifo);
    // Checked before the reader is joined: a replaced FIFO is never
    // written, and its reader would wait for ever.
    let kind = std::fs::symlink_metadata(&fifo)
        .expect("still there")
        .file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        common::transcript(&output)
    );
    let text = reader.join().expect("reader");
    let report: serde_json::Value = serde_json::from_str(&text).expect("a JSON report");
    assert_eq!(report["summary"]["met"], false);
}

#[cfg(unix)]
#[test]
fn a_character_device_is_written_and_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    // A null device of the test's own where the test may make one (as
    // root, where a regression would replace it): the system's is never
    // put at risk. Elsewhere the system's, which cannot be replaced then.
    let dir = tempfile::tempdir().expect("temp dir");
    let own = dir.path().join("null");
    let made = std::process::Command::new("mknod")
        .arg(&own)
        .args(["c", "1", "3"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let device = if made {
        own.as_path()
    } else {
        Path::new("/dev/null")
    };
    let output = validate_to(device);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        common::transcript(&output)
    );
    let kind = std::fs::metadata(device).expect("device").file_type();
    assert!(kind.is_char_device(), "the device was replaced");
}

#[test]
fn a_directory_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = validate_to(dir.path());
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        common::transcript(&output)
    );
    assert!(dir.path().is_dir());
}

#[cfg(unix)]
#[test]
fn a_socket_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let socket = dir.path().join("report.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).expect("bind");
    let output = validate_to(&socket);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        common::transcript(&output)
    );
    let kind = std::fs::symlink_metadata(&socket)
        .expect("still there")
        .file_type();
    assert!(!kind.is_file(), "the socket was replaced");
}

#[test]
fn a_token_file_of_the_target_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = dir.path().join("tenant-a.token");
    std::fs::write(&token, "a-token-that-must-stay-1234\n").expect("token written");
    std::fs::write(
        dir.path().join("tenant-b.token"),
        "b-token-that-must-stay-5678\n",
    )
    .expect("token written");
    let target = dir.path().join("target.toml");
    std::fs::write(
        &target,
        r#"base_url = "http://127.0.0.1:9"

[[endpoint]]
path = "/entities?type=ParkingSpot"
type = "ParkingSpot"

[auth]
scheme = "bearer"

[tenants.a]
token_file = "tenant-a.token"
resource = "/entities/urn:ngsi-ld:ParkingSpot:a-1"

[tenants.b]
token_file = "tenant-b.token"
resource = "/entities/urn:ngsi-ld:ParkingSpot:b-1"
"#,
    )
    .expect("target written");
    // Named another way than the target names it: the same file still.
    let aliased = dir.path().join(".").join("tenant-a.token");
    let report = format!("json={}", aliased.display());
    let target = target.display().to_string();
    let output = common::run(&["audit", "--target", &target, "--report", &report, "-q"]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        common::transcript(&output)
    );
    assert_eq!(
        std::fs::read_to_string(&token).expect("token"),
        "a-token-that-must-stay-1234\n"
    );
}
