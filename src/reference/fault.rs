//! The faults the reference platform can be told to have. Each breaks one
//! behaviour, and so exactly the requirements it names: that is how every
//! live requirement proves its check can fail.

use std::fmt;
use std::str::FromStr;

use super::ReferenceApi;

/// One broken behaviour of the reference platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// The plain-HTTP port serves data instead of redirecting to HTTPS.
    PlainHttp,
    /// The TLS port also answers a TLS 1.1 handshake.
    LegacyTls,
    /// No `Strict-Transport-Security` header.
    NoHsts,
    /// No `X-Content-Type-Options: nosniff`.
    NoNosniff,
    /// JSON answers labelled `text/plain`, not a JSON media type.
    TextContentType,
    /// `Access-Control-Allow-Origin: *` on every response.
    WildcardCors,
    /// No `Cache-Control: no-store` on data.
    NoCacheControl,
    /// `Server` and `X-Powered-By` carry product versions.
    VersionBanner,
    /// Error bodies carry a stack trace and the failing SQL.
    StackTraces,
    /// Requests without a valid token are served as tenant A.
    NoAuth,
    /// A tenant can read another tenant's entity by its ID.
    CrossTenantRead,
    /// The admin operation is open to every tenant.
    AdminOpen,
    /// Records carry internal members the schema does not declare.
    ExtraProperties,
    /// No rate limit.
    NoRateLimit,
    /// `limit` is not capped.
    UnboundedPage,
    /// A malformed JSON body, or one that is not an object, is answered 500.
    Error500,
    /// `DELETE` and `TRACE` are accepted.
    AnyMethod,
    /// No `/.well-known/security.txt`.
    NoSecurityTxt,
    /// Records carry an e-mail address in their description.
    Identifiers,
    /// Trip and meter coordinates keep six decimals.
    FineCoordinates,
    /// Records carry no data-exchange envelope.
    MissingEnvelope,
    /// NGSI-LD: entities answered as `application/json` without the
    /// JSON-LD `Link` header.
    NoLdContext,
    /// NGSI-LD: `options=keyValues` leaves out an attribute the
    /// normalized answer holds.
    KeyValuesDiffer,
    /// NGSI-LD: `count=true` answers no `NGSILD-Results-Count`.
    NoResultsCount,
    /// NGSI-LD: errors are `{"error", "message"}` objects, not problem
    /// details.
    PlainErrors,
    /// NGSI-LD: the `NGSILD-Tenant` header opens any tenant's space,
    /// whoever's credential comes with it.
    TenantHeaderTrusted,
    /// OGC API: the landing page does not link to the conformance
    /// declaration.
    NoConformanceLink,
    /// OGC API: the conformance declaration leaves out the GeoJSON class.
    NoGeoJsonClass,
    /// OGC API: `/collections` has no `links`.
    NoCollectionsLinks,
    /// OGC API: `numberReturned` is one more than the features returned.
    WrongNumberReturned,
    /// OGC API: `limit` is ignored; every page has the default size.
    LimitIgnored,
    /// OGC API: any `Origin` is reflected in
    /// `Access-Control-Allow-Origin`, without credentials allowed.
    ReflectedOrigin,
    /// GBFS: the vehicles name their type, but the discovery file does
    /// not list `vehicle_types`.
    GbfsUnlistedVehicleTypes,
    /// GBFS: a vehicle leaves out `is_disabled`, which its schema requires.
    GbfsInvalidVehicle,
    /// GBFS: every file was last updated longer ago than its `ttl`.
    GbfsStale,
    /// GBFS: a vehicle on a trip is published.
    GbfsRentedVehicle,
    /// GBFS: a vehicle's ID is a device's MAC address.
    GbfsStableVehicleId,
}

impl Fault {
    /// Every fault, in a stable order.
    pub const ALL: &'static [Fault] = &[
        Fault::PlainHttp,
        Fault::LegacyTls,
        Fault::NoHsts,
        Fault::NoNosniff,
        Fault::TextContentType,
        Fault::WildcardCors,
        Fault::NoCacheControl,
        Fault::VersionBanner,
        Fault::StackTraces,
        Fault::NoAuth,
        Fault::CrossTenantRead,
        Fault::AdminOpen,
        Fault::ExtraProperties,
        Fault::NoRateLimit,
        Fault::UnboundedPage,
        Fault::Error500,
        Fault::AnyMethod,
        Fault::NoSecurityTxt,
        Fault::Identifiers,
        Fault::FineCoordinates,
        Fault::MissingEnvelope,
    ];

    /// The faults of the NGSI-LD broker (`--api ngsi-ld`) alone, each
    /// breaking one NGSI-LD requirement; the faults in [`Fault::ALL`]
    /// apply to it too.
    pub const NGSI_LD: &'static [Fault] = &[
        Fault::NoLdContext,
        Fault::KeyValuesDiffer,
        Fault::NoResultsCount,
        Fault::PlainErrors,
        Fault::TenantHeaderTrusted,
    ];

    /// The faults of the OGC API - Features server
    /// (`--api ogcapi-features`) alone, each breaking one OGC requirement.
    pub const OGC: &'static [Fault] = &[
        Fault::NoConformanceLink,
        Fault::NoGeoJsonClass,
        Fault::NoCollectionsLinks,
        Fault::WrongNumberReturned,
        Fault::LimitIgnored,
        Fault::ReflectedOrigin,
    ];

    /// The faults of the GBFS feed (`--api gbfs`) alone, each breaking one
    /// GBFS requirement.
    pub const GBFS: &'static [Fault] = &[
        Fault::GbfsUnlistedVehicleTypes,
        Fault::GbfsInvalidVehicle,
        Fault::GbfsStale,
        Fault::GbfsRentedVehicle,
        Fault::GbfsStableVehicleId,
    ];

    /// The API the fault concerns alone, if it concerns one: such a fault
    /// breaks nothing on another.
    pub fn only_for(self) -> Option<ReferenceApi> {
        if Fault::NGSI_LD.contains(&self) {
            Some(ReferenceApi::NgsiLd)
        } else if Fault::OGC.contains(&self) {
            Some(ReferenceApi::OgcApiFeatures)
        } else if Fault::GBFS.contains(&self) {
            Some(ReferenceApi::Gbfs)
        } else {
            None
        }
    }

    /// Every fault: the common ones, then each API's own.
    pub fn every() -> impl Iterator<Item = Fault> {
        Fault::ALL
            .iter()
            .chain(Fault::NGSI_LD)
            .chain(Fault::OGC)
            .chain(Fault::GBFS)
            .copied()
    }

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Fault::PlainHttp => "plain-http",
            Fault::LegacyTls => "legacy-tls",
            Fault::NoHsts => "no-hsts",
            Fault::NoNosniff => "no-nosniff",
            Fault::TextContentType => "text-content-type",
            Fault::WildcardCors => "wildcard-cors",
            Fault::NoCacheControl => "no-cache-control",
            Fault::VersionBanner => "version-banner",
            Fault::StackTraces => "stack-traces",
            Fault::NoAuth => "no-auth",
            Fault::CrossTenantRead => "cross-tenant-read",
            Fault::AdminOpen => "admin-open",
            Fault::ExtraProperties => "extra-properties",
            Fault::NoRateLimit => "no-rate-limit",
            Fault::UnboundedPage => "unbounded-page",
            Fault::Error500 => "error-500",
            Fault::AnyMethod => "any-method",
            Fault::NoSecurityTxt => "no-security-txt",
            Fault::Identifiers => "identifiers",
            Fault::FineCoordinates => "fine-coordinates",
            Fault::MissingEnvelope => "missing-envelope",
            Fault::NoLdContext => "no-ld-context",
            Fault::KeyValuesDiffer => "key-values-differ",
            Fault::NoResultsCount => "no-results-count",
            Fault::PlainErrors => "plain-errors",
            Fault::TenantHeaderTrusted => "tenant-header-trusted",
            Fault::NoConformanceLink => "no-conformance-link",
            Fault::NoGeoJsonClass => "no-geojson-class",
            Fault::NoCollectionsLinks => "no-collections-links",
            Fault::WrongNumberReturned => "wrong-number-returned",
            Fault::LimitIgnored => "limit-ignored",
            Fault::ReflectedOrigin => "reflected-origin",
            Fault::GbfsUnlistedVehicleTypes => "gbfs-unlisted-vehicle-types",
            Fault::GbfsInvalidVehicle => "gbfs-invalid-vehicle",
            Fault::GbfsStale => "gbfs-stale",
            Fault::GbfsRentedVehicle => "gbfs-rented-vehicle",
            Fault::GbfsStableVehicleId => "gbfs-stable-vehicle-id",
        }
    }

    /// The requirements this fault breaks, and no others.
    pub fn breaks(self) -> &'static [&'static str] {
        match self {
            Fault::PlainHttp => &["SEC-HTTPS-01"],
            Fault::LegacyTls => &["SEC-TLS-01"],
            Fault::NoHsts => &["SEC-HSTS-01"],
            Fault::NoNosniff => &["SEC-NOSNIFF-01"],
            Fault::TextContentType => &["SEC-CONTENT-TYPE-01"],
            Fault::WildcardCors => &["SEC-CORS-01"],
            Fault::NoCacheControl => &["SEC-CACHE-01"],
            Fault::VersionBanner => &["SEC-BANNER-01"],
            Fault::StackTraces => &["SEC-ERROR-LEAK-01"],
            Fault::NoAuth => &["SEC-AUTHN-01"],
            Fault::CrossTenantRead => &["SEC-BOLA-01"],
            Fault::AdminOpen => &["SEC-BFLA-01"],
            Fault::ExtraProperties => &["SEC-PROPERTY-01"],
            Fault::NoRateLimit => &["SEC-RATE-LIMIT-01"],
            Fault::UnboundedPage => &["SEC-PAGE-SIZE-01"],
            Fault::Error500 => &["SEC-BAD-INPUT-01"],
            Fault::AnyMethod => &["SEC-METHOD-01"],
            Fault::NoSecurityTxt => &["SEC-SECURITY-TXT-01"],
            Fault::Identifiers => &["ANON-ID-VALUE-01"],
            Fault::FineCoordinates => &["ANON-LOC-PRECISION-01"],
            Fault::MissingEnvelope => &["PAY-ENVELOPE-01"],
            Fault::NoLdContext => &["NGSILD-CONTEXT-01"],
            Fault::KeyValuesDiffer => &["NGSILD-KEYVALUES-01"],
            Fault::NoResultsCount => &["NGSILD-PAGING-01"],
            Fault::PlainErrors => &["NGSILD-ERRORS-01"],
            Fault::TenantHeaderTrusted => &["NGSILD-TENANT-01"],
            Fault::NoConformanceLink => &["OGC-LANDING-01"],
            Fault::NoGeoJsonClass => &["OGC-CONFORMANCE-01"],
            Fault::NoCollectionsLinks => &["OGC-COLLECTIONS-01"],
            Fault::WrongNumberReturned => &["OGC-ITEMS-01"],
            Fault::LimitIgnored => &["OGC-LIMIT-01"],
            Fault::ReflectedOrigin => &["SEC-CORS-02"],
            Fault::GbfsUnlistedVehicleTypes => &["GBFS-DISCOVERY-01"],
            Fault::GbfsInvalidVehicle => &["GBFS-SCHEMA-01"],
            Fault::GbfsStale => &["GBFS-TTL-01"],
            Fault::GbfsRentedVehicle => &["GBFS-PRIVACY-01"],
            Fault::GbfsStableVehicleId => &["GBFS-PRIVACY-02"],
        }
    }

    /// One line for `--help` and listings.
    pub fn description(self) -> &'static str {
        match self {
            Fault::PlainHttp => "the plain-HTTP port serves data instead of redirecting",
            Fault::LegacyTls => "the TLS port also accepts a TLS 1.1 handshake",
            Fault::NoHsts => "no Strict-Transport-Security header",
            Fault::NoNosniff => "no X-Content-Type-Options: nosniff",
            Fault::TextContentType => "JSON labelled text/plain",
            Fault::WildcardCors => "Access-Control-Allow-Origin: * on every response",
            Fault::NoCacheControl => "no Cache-Control: no-store on data",
            Fault::VersionBanner => "Server and X-Powered-By carry versions",
            Fault::StackTraces => "error bodies carry a stack trace and SQL",
            Fault::NoAuth => "requests without a valid token are served",
            Fault::CrossTenantRead => "a tenant reads another tenant's entity",
            Fault::AdminOpen => "the admin operation is open to every tenant",
            Fault::ExtraProperties => "records carry undeclared internal members",
            Fault::NoRateLimit => "no rate limit",
            Fault::UnboundedPage => "the page size is not capped",
            Fault::Error500 => "malformed JSON, or JSON that is not an object, is answered 500",
            Fault::AnyMethod => "DELETE and TRACE are accepted",
            Fault::NoSecurityTxt => "no /.well-known/security.txt",
            Fault::Identifiers => "records carry an e-mail address",
            Fault::FineCoordinates => "trip and meter coordinates keep six decimals",
            Fault::MissingEnvelope => "records carry no envelope",
            Fault::NoLdContext => "(ngsi-ld) no JSON-LD Link header on entities",
            Fault::KeyValuesDiffer => "(ngsi-ld) options=keyValues drops an attribute",
            Fault::NoResultsCount => "(ngsi-ld) count=true answers no NGSILD-Results-Count",
            Fault::PlainErrors => "(ngsi-ld) errors are not problem details",
            Fault::TenantHeaderTrusted => "(ngsi-ld) NGSILD-Tenant opens any tenant's space",
            Fault::NoConformanceLink => "(ogcapi-features) no conformance link on the landing page",
            Fault::NoGeoJsonClass => "(ogcapi-features) the GeoJSON class is not declared",
            Fault::NoCollectionsLinks => "(ogcapi-features) /collections has no links",
            Fault::WrongNumberReturned => "(ogcapi-features) numberReturned counts one too many",
            Fault::LimitIgnored => "(ogcapi-features) limit is ignored",
            Fault::ReflectedOrigin => "(ogcapi-features) any Origin reflected, no credentials",
            Fault::GbfsUnlistedVehicleTypes => {
                "(gbfs) vehicles name a type, vehicle_types is not listed"
            }
            Fault::GbfsInvalidVehicle => "(gbfs) a vehicle has no is_disabled",
            Fault::GbfsStale => "(gbfs) every file is older than its ttl",
            Fault::GbfsRentedVehicle => "(gbfs) a vehicle on a trip is published",
            Fault::GbfsStableVehicleId => "(gbfs) a vehicle's ID is a MAC address",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Fault::every().find(|f| f.name() == text).ok_or_else(|| {
            let names: Vec<_> = Fault::every().map(|f| f.name()).collect();
            format!("unknown fault `{text}`; known faults: {}", names.join(", "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for fault in Fault::every() {
            assert_eq!(fault.name().parse::<Fault>(), Ok(fault));
        }
        assert!("no-such-fault".parse::<Fault>().is_err());
    }
}
