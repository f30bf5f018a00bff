//! The one rule for opening a file the user named: it must be a regular
//! file (links are followed). A FIFO, socket or device named by mistake
//! would block a read forever or feed it endless bytes, so it is refused
//! with its kind named before anything reads it.

use std::path::Path;

use crate::error::{Error, Result};

/// Refuses `path` when it exists and is not a regular file (after
/// following links); a missing file is left to the read that follows,
/// whose error says so.
pub fn refuse_special(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => Err(Error::Usage(format!(
            "`{}` is {}, not a regular file: name a file (a FIFO or device is never read, since it may never end)",
            path.display(),
            kind(&meta)
        ))),
        _ => Ok(()),
    }
}

/// Reads the whole of the regular file at `path`.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    refuse_special(path)?;
    std::fs::read(path).map_err(|e| Error::read(path, e))
}

/// Reads the regular file at `path` as UTF-8 text.
pub fn read_to_string(path: &Path) -> Result<String> {
    refuse_special(path)?;
    std::fs::read_to_string(path).map_err(|e| Error::read(path, e))
}

/// Opens the regular file at `path` for reading.
pub fn open(path: &Path) -> Result<std::fs::File> {
    refuse_special(path)?;
    std::fs::File::open(path).map_err(|e| Error::read(path, e))
}

/// What a file that is not regular is, in words.
fn kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = meta.file_type();
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    let _ = meta;
    "neither a file nor a folder"
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_is_refused_with_its_kind_and_a_missing_file_is_left_to_the_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("config.toml");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(status.success());
        let error = read_to_string(&fifo).expect_err("a FIFO is refused");
        assert!(error.to_string().contains("a FIFO (named pipe)"), "{error}");
        assert!(refuse_special(&dir.path().join("missing.toml")).is_ok());
        assert!(matches!(
            read(&dir.path().join("missing.toml")),
            Err(Error::Read { .. })
        ));
    }
}
