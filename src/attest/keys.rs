//! Ed25519 keys in the standard PEM encodings (PKCS#8 for the private key,
//! SubjectPublicKeyInfo for the public one), so they interoperate with
//! OpenSSL and other tools. A private key is written readable by its owner
//! only and never printed; errors about it name the file, never the key.

use std::io::Write;
use std::path::Path;

use ed25519_dalek::pkcs8::spki::{DecodePublicKey, EncodePublicKey};
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ed25519_dalek::{SigningKey, VerifyingKey};

use super::digest::sha256;
use crate::error::{Error, Result};

/// `sha256:` digest of the raw 32-byte public key: a short, stable name
/// for a key, recorded in signed reports.
pub fn key_id(key: &VerifyingKey) -> String {
    sha256(key.as_bytes())
}

/// Generates a key pair and writes it: the private key to `private_path`
/// (mode 0600 on Unix), the public key to `public_path`. Refuses to
/// overwrite either file. Returns the key ID.
pub fn generate(private_path: &Path, public_path: &Path) -> Result<String> {
    for path in [private_path, public_path] {
        if path.exists() {
            return Err(Error::Usage(format!(
                "`{}` already exists; choose another name or move it away (keys are never overwritten)",
                path.display()
            )));
        }
    }
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret)
        .map_err(|e| Error::Internal(format!("the system random number generator failed: {e}")))?;
    let signing = SigningKey::from_bytes(&secret);
    secret.fill(0);
    let private_pem = signing
        .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .map_err(|e| Error::Internal(format!("encoding the private key failed: {e}")))?;
    let verifying = signing.verifying_key();
    let public_pem = verifying
        .to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .map_err(|e| Error::Internal(format!("encoding the public key failed: {e}")))?;
    write_new(private_path, private_pem.as_bytes(), true)?;
    if let Err(error) = write_new(public_path, public_pem.as_bytes(), false) {
        let _ = std::fs::remove_file(private_path);
        return Err(error);
    }
    Ok(key_id(&verifying))
}

/// Creates `path` (failing if it exists) with `bytes`; owner-only when
/// `private`. A failed write removes the file: no half-written key.
fn write_new(path: &Path, bytes: &[u8], private: bool) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    let write_err = |source| Error::Write {
        path: path.display().to_string(),
        source,
    };
    let mut file = options.open(path).map_err(write_err)?;
    let result = file.write_all(bytes).and_then(|()| file.sync_all());
    if let Err(source) = result {
        let _ = std::fs::remove_file(path);
        return Err(write_err(source));
    }
    Ok(())
}

/// Reads a private key written by [`generate`] (PKCS#8 PEM).
pub fn read_signing_key(path: &Path) -> Result<SigningKey> {
    let text = crate::files::read_to_string(path)?;
    SigningKey::from_pkcs8_pem(text.trim()).map_err(|_| {
        Error::Usage(format!(
            "`{}` is not an Ed25519 private key in PKCS#8 PEM\n  help: create one with `cityconform keygen`; pass the `.key` file, not the `.pub` one",
            path.display()
        ))
    })
}

/// Reads a public key written by [`generate`] (SubjectPublicKeyInfo PEM).
pub fn read_verifying_key(path: &Path) -> Result<VerifyingKey> {
    let text = crate::files::read_to_string(path)?;
    VerifyingKey::from_public_key_pem(text.trim()).map_err(|_| {
        Error::Usage(format!(
            "`{}` is not an Ed25519 public key in PEM\n  help: pass the `.pub` file that `cityconform keygen` wrote beside the private key",
            path.display()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_read_back_and_the_private_one_is_owner_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let private = dir.path().join("k.key");
        let public = dir.path().join("k.pub");
        let id = generate(&private, &public).expect("keygen");
        let signing = read_signing_key(&private).expect("private key");
        let verifying = read_verifying_key(&public).expect("public key");
        assert_eq!(signing.verifying_key(), verifying);
        assert_eq!(id, key_id(&verifying));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&private)
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(generate(&private, &dir.path().join("other.pub")).is_err());
        assert!(
            read_signing_key(&public).is_err(),
            "a public key is not a private key"
        );
        assert!(read_verifying_key(&private).is_err(), "nor the reverse");
    }
}
