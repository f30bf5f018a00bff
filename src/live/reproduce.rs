//! A `curl` command that sends what a job of the audit sent, for every
//! live finding's evidence (`reproduce`): whoever reads the report can see
//! the behaviour for themselves. Credentials are never written out: a
//! tenant's token is read from `$CITY_TOKEN_A` or `$CITY_TOKEN_B` and the
//! authority the target trusts from `$CITY_CA_CERT`, so the command can be
//! pasted into a ticket as it is. Every other word is single-quoted for a
//! POSIX shell, so nothing a server or a case put in a URL, header or body
//! is interpreted by the shell.

use super::cases::{As, Probe};
use super::http::Outgoing;
use super::target::{AuthScheme, Target};

/// The variable that holds tenant A's token.
pub const TOKEN_A_VAR: &str = "CITY_TOKEN_A";
/// The variable that holds tenant B's token.
pub const TOKEN_B_VAR: &str = "CITY_TOKEN_B";
/// The variable naming the PEM file of the authority the target trusts.
pub const CA_CERT_VAR: &str = "CITY_CA_CERT";

/// What the credential header carries, as the command writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Credential {
    /// `header: prefix$VAR`: a tenant's token, from the environment.
    Env {
        header: String,
        prefix: &'static str,
        var: &'static str,
    },
    /// A value the audit made up (an invalid or forged token), which is no
    /// secret and is written as it is.
    Literal { header: String, value: String },
}

/// How the credential of `principal` is written, under the target's scheme.
pub(crate) fn credential(
    principal: As,
    target: &Target,
    sent: Option<&(String, String)>,
) -> Option<Credential> {
    let (header, prefix) = match target.scheme()? {
        AuthScheme::Bearer | AuthScheme::OAuth2 { .. } => ("Authorization".to_owned(), "Bearer "),
        AuthScheme::ApiKey(header) => (header.clone(), ""),
    };
    let var = match principal {
        As::None => return None,
        As::A => TOKEN_A_VAR,
        As::B => TOKEN_B_VAR,
        As::Invalid | As::Expired | As::AlgNone => {
            return sent.map(|(header, value)| Credential::Literal {
                header: header.clone(),
                value: value.clone(),
            });
        }
    };
    Some(Credential::Env {
        header,
        prefix,
        var,
    })
}

/// The command for `request`, sent as `probe` (`burst` times for a burst).
pub(crate) fn curl(
    request: &Outgoing,
    credential: Option<&Credential>,
    probe: Probe,
    burst: u64,
    ca_cert: bool,
) -> String {
    let mut words: Vec<String> = vec!["curl".to_owned(), "--silent".to_owned()];
    words.push("--show-error".to_owned());
    if probe == Probe::Burst {
        words.push("--output /dev/null".to_owned());
        words.push(format!("--write-out {}", quote("%{http_code}\\n")));
    } else {
        words.push("--include".to_owned());
    }
    if ca_cert && request.url.starts_with("https://") {
        words.push(format!("--cacert \"${CA_CERT_VAR}\""));
    }
    if probe == Probe::LegacyTls {
        words.push("--tlsv1.1 --tls-max 1.1".to_owned());
    }
    match request.method.as_str() {
        "GET" => {}
        "HEAD" => words.push("--head".to_owned()),
        method => words.push(format!("--request {}", quote(method))),
    }
    for (name, value) in &request.headers {
        words.push(format!("--header {}", quote(&format!("{name}: {value}"))));
    }
    match credential {
        Some(Credential::Env {
            header,
            prefix,
            var,
        }) => words.push(format!(
            "--header {}\"${var}\"",
            quote(&format!("{header}: {prefix}"))
        )),
        Some(Credential::Literal { header, value }) => {
            words.push(format!("--header {}", quote(&format!("{header}: {value}"))));
        }
        None => {}
    }
    if let Some((content_type, body)) = &request.body {
        words.push(format!(
            "--header {}",
            quote(&format!("Content-Type: {content_type}"))
        ));
        words.push(format!("--data-binary {}", quote(body)));
    }
    words.push(quote(&request.url));
    let command = words.join(" ");
    if probe == Probe::Burst {
        format!("for i in $(seq 1 {burst}); do {command}; done")
    } else {
        command
    }
}

/// `text` as one single-quoted POSIX shell word: nothing in it is
/// expanded; a single quote is closed, escaped and reopened.
pub(crate) fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(url: &str) -> Outgoing {
        Outgoing {
            method: "GET".to_owned(),
            url: url.to_owned(),
            headers: Vec::new(),
            credential: None,
            body: None,
        }
    }

    #[test]
    fn a_tenant_token_is_named_by_its_variable_never_written() {
        let credential = Credential::Env {
            header: "Authorization".to_owned(),
            prefix: "Bearer ",
            var: TOKEN_A_VAR,
        };
        let command = curl(
            &get("https://city.example/a?b=c&d=e"),
            Some(&credential),
            Probe::Request,
            1,
            true,
        );
        assert_eq!(
            command,
            "curl --silent --show-error --include --cacert \"$CITY_CA_CERT\" --header 'Authorization: Bearer '\"$CITY_TOKEN_A\" 'https://city.example/a?b=c&d=e'"
        );
    }

    #[test]
    fn quotes_survive_in_bodies_and_urls() {
        assert_eq!(quote("it's $HOME `x`"), r"'it'\''s $HOME `x`'");
        let mut request = get("http://h/x'y");
        request.method = "POST".to_owned();
        request.body = Some(("application/json".to_owned(), "{\"a\":\"'\"}".to_owned()));
        let command = curl(&request, None, Probe::Request, 1, false);
        assert!(
            command.contains(r#"--data-binary '{"a":"'\''"}'"#),
            "{command}"
        );
        assert!(command.ends_with(r"'http://h/x'\''y'"), "{command}");
        assert!(command.contains("--request 'POST'"), "{command}");
    }

    #[test]
    fn a_burst_repeats_the_request_and_prints_statuses() {
        let command = curl(&get("https://h/x"), None, Probe::Burst, 150, false);
        assert!(
            command.starts_with("for i in $(seq 1 150); do curl"),
            "{command}"
        );
        assert!(
            command.contains("--write-out '%{http_code}\\n'"),
            "{command}"
        );
    }
}
