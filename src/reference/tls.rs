//! TLS for the reference platform: a certificate authority made for this
//! run and a server certificate it signs for `localhost` and `127.0.0.1`
//! (rcgen), served by rustls. The authority's certificate is what a client
//! passes as `--ca-cert` (or `ca_cert` in a target) to trust the platform.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A generated authority and the server configuration it signed.
pub(crate) struct Generated {
    /// The authority's certificate, PEM.
    pub ca_pem: String,
    /// The rustls server configuration (TLS 1.2 and 1.3 only).
    pub config: Arc<rustls::ServerConfig>,
}

impl std::fmt::Debug for Generated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generated").finish_non_exhaustive()
    }
}

/// Makes a fresh authority and server certificate.
pub(crate) fn generate() -> Result<Generated, String> {
    let fail = |e: rcgen::Error| format!("generating the reference certificate failed: {e}");
    let ca_key = KeyPair::generate().map_err(fail)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "cityconform reference platform CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(fail)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().map_err(fail)?;
    let mut server_params =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .map_err(fail)?;
    server_params
        .distinguished_name
        .push(DnType::CommonName, "cityconform reference platform");
    let server_cert = server_params
        .signed_by(&server_key, &issuer)
        .map_err(fail)?;

    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let chain: Vec<CertificateDer<'static>> = vec![server_cert.der().clone()];
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| format!("TLS versions: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("the reference certificate is unusable: {e}"))?;
    Ok(Generated {
        ca_pem: ca_cert.pem(),
        config: Arc::new(config),
    })
}

/// Whether `hello` (the first bytes a client sent) is a ClientHello whose
/// version is below TLS 1.2: what a TLS 1.0 or 1.1 client sends. Used only
/// by the `legacy-tls` fault; modern clients send 1.2 there.
pub(crate) fn is_legacy_client_hello(hello: &[u8]) -> bool {
    // Record header (5) + handshake header (4) + client_version (2).
    hello.len() >= 11 && hello[0] == 0x16 && hello[5] == 0x01 && hello[9] == 3 && hello[10] < 3
}

/// A TLS 1.1 ServerHello record followed by nothing: what an old server
/// answers to a legacy ClientHello. The auditor only needs to see that the
/// server agreed to the old version.
pub(crate) fn legacy_server_hello() -> Vec<u8> {
    let mut body = vec![0x03, 0x02];
    body.extend_from_slice(&[0x11; 32]); // random
    body.push(0); // session id length
    body.extend_from_slice(&[0x00, 0x2f]); // TLS_RSA_WITH_AES_128_CBC_SHA
    body.push(0); // compression: null
    let mut handshake = vec![0x02];
    handshake.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    handshake.extend_from_slice(&body);
    let mut record = vec![0x16, 0x03, 0x02];
    record.extend_from_slice(&(handshake.len() as u16).to_be_bytes());
    record.extend_from_slice(&handshake);
    record
}
