//! PLACEHOLDER until the detector module lands (being written now).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentifierKind { Email }
impl IdentifierKind {
    pub const ALL: [IdentifierKind; 1] = [IdentifierKind::Email];
    pub fn as_str(self) -> &'static str { "email" }
    pub fn describe(self) -> &'static str { "e-mail address" }
    pub fn parse(name: &str) -> Option<Self> { (name == "email").then_some(IdentifierKind::Email) }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detection { pub kind: IdentifierKind, pub checksum_valid: Option<bool> }
#[derive(Debug)]
pub struct Detectors;
impl Detectors {
    pub fn new(_kinds: &[IdentifierKind]) -> Self { Detectors }
    pub fn scan(&self, text: &str) -> Vec<Detection> { if text.contains('@') { vec![Detection { kind: IdentifierKind::Email, checksum_valid: None }] } else { vec![] } }
}
