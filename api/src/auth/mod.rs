//! Who is calling: bearer-token verification against trusted issuers, and the principal.
//! `keys` holds each issuer's keys, fixed or fetched from its JWKS URL.
use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
    sync::Arc,
    time::Duration,
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};

mod keys;

use keys::{Keys, Location};

use crate::{
    domain::Kommunkod,
    error::{ApiError, TokenRefusal},
    reference::Reference,
    settings::{IssuerSettings, Mode, Secret, Settings},
};

/// The issuer name of the local development issuer (`samverkan token`).
pub const DEV_ISSUER: &str = "samverkan-dev";
/// The audience every token for this service carries unless an issuer says otherwise.
pub const DEFAULT_AUDIENCE: &str = "samverkan";
/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 30;

pub use crate::domain::authz::Role;

/// A verified caller acting for one kommun.
#[derive(Clone, Debug)]
pub struct Principal {
    /// The token's `sub`.
    pub sub: String,
    /// The token's `name`, if it carried one.
    pub name: Option<String>,
    /// The kommun's row id.
    pub municipality_id: i32,
    /// The kommun's four-digit kommunkod.
    pub kommun: String,
    /// The row id of the kommun's county.
    pub county_id: i32,
    /// What the token allows; roles combine by union.
    pub roles: BTreeSet<Role>,
    /// When the token expires (seconds since the epoch); a subscription ends then.
    pub expires_at: Option<i64>,
    /// The issuer (`iss`) that signed the token; `None` for the service acting for itself.
    pub issuer: Option<String>,
}

impl Principal {
    /// The service itself acting for `kommun` with one role, as `sub`, without a token (the
    /// command line's operator, the start-up's counting ahead).
    pub fn acting_for(kommun: &entity::municipality::Model, sub: String, role: Role) -> Self {
        Principal {
            sub,
            name: None,
            municipality_id: kommun.id,
            kommun: kommun.code.to_string(),
            county_id: kommun.county_id,
            roles: BTreeSet::from([role]),
            expires_at: None,
            issuer: None,
        }
    }

    /// Reads the kommun's own view (viewer, editor, admin or revisor): its own records of every
    /// visibility, what it takes part in, and what its county shares.
    pub fn reads_as_kommun(&self) -> bool {
        self.roles
            .iter()
            .any(|r| matches!(r, Role::Viewer | Role::Editor | Role::Admin | Role::Revisor))
    }
    /// Changes its kommun's records.
    pub fn is_editor(&self) -> bool {
        self.roles.iter().any(|r| matches!(r, Role::Editor | Role::Admin))
    }
    /// Answers invitations for its kommun.
    pub fn is_admin(&self) -> bool {
        self.roles.contains(&Role::Admin)
    }
    /// Reads the county as the joint committee.
    pub fn is_namnd(&self) -> bool {
        self.roles.contains(&Role::Namnd)
    }
    /// The roles as a comma-separated list, for the audit trail.
    pub fn roles_text(&self) -> String {
        self.roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The caller of one request.
#[derive(Clone, Debug)]
pub enum Caller {
    /// No token: the published catalogue only.
    Anonymous,
    /// A verified token.
    Principal(Principal),
}

impl Caller {
    /// The principal, if the request carried a valid token.
    pub fn principal(&self) -> Option<&Principal> {
        match self {
            Caller::Anonymous => None,
            Caller::Principal(p) => Some(p),
        }
    }
}

/// The claims this service reads; the rest are ignored.
#[derive(Debug, Deserialize, Serialize)]
pub struct Claims {
    // Optional here so that a missing claim is reported as MISSING_CLAIM by the validation
    // (which requires them) rather than as an unreadable token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The issuer, matched against the configured issuers.
    pub iss: Option<String>,
    /// A string or an array of strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The user the token speaks for.
    pub sub: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Expiry, seconds since the epoch.
    pub exp: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Not valid before, seconds since the epoch.
    pub nbf: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Issued at, seconds since the epoch.
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The kommunkod the token acts for.
    pub kommun: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Role names: viewer, editor, admin, namnd, integration, revisor.
    pub roles: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The user's display name.
    pub name: Option<String>,
}

struct Issuer {
    name: String,
    audience: String,
    algorithm: Algorithm,
    keys: Keys,
    /// `None` allows any kommun.
    kommuner: Option<BTreeSet<String>>,
    /// Where the kommunkod and the roles are in its tokens.
    kommun_claim: String,
    roles_claim: String,
    /// The identity provider's role names and what each grants; `None` when its tokens carry
    /// this service's role names themselves.
    role_names: Option<BTreeMap<String, Role>>,
}

/// What one look at a token with the keys in hand found.
enum Checked {
    Done(Result<Principal, ApiError>),
    /// The token names a `kid` that no key of issuer `n` has (yet).
    UnknownKid(usize),
}

/// Default refresh of fetched keys.
const JWKS_REFRESH: Duration = Duration::from_secs(300);
/// Default least time between fetches caused by unknown `kid`s.
const JWKS_REFETCH_MIN: Duration = Duration::from_secs(30);

/// Plain HTTP only to the machine itself (a test or a sidecar): over a network, whoever can
/// change the answer could plant a key and sign tokens for any kommun.
fn check_key_url(url: &str, what: &str) -> anyhow::Result<()> {
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| {
            url.strip_prefix(p)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
        });
    anyhow::ensure!(
        url.starts_with("https://") || loopback,
        "{what} must be an https:// URL (plain http only on loopback): {url}"
    );
    Ok(())
}

/// The value at a claim name or a dotted path (`realm_access.roles`); a name that itself
/// contains dots is found as it is first.
fn claim<'a>(claims: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    if let Some(v) = claims.get(path) {
        return Some(v);
    }
    path.split('.').try_fold(claims, |v, part| v.get(part))
}

/// Verifies bearer tokens against the configured issuers.
pub struct Verifier {
    issuers: Vec<Issuer>,
}

fn algorithm(name: &str) -> anyhow::Result<Algorithm> {
    Ok(match name {
        "HS256" => Algorithm::HS256,
        "RS256" => Algorithm::RS256,
        "ES256" => Algorithm::ES256,
        other => anyhow::bail!("unsupported algorithm {other}"),
    })
}

impl Verifier {
    /// Builds the verifier; in development mode the local issuer signs with `dev_secret`.
    pub fn from_settings(settings: &Settings, dev_secret: Option<&Secret>) -> anyhow::Result<Self> {
        use anyhow::Context;
        let mut issuers = Vec::new();
        if let (Mode::Development, Some(secret)) = (settings.mode, dev_secret) {
            issuers.push(Issuer {
                name: DEV_ISSUER.into(),
                audience: DEFAULT_AUDIENCE.into(),
                algorithm: Algorithm::HS256,
                keys: Keys::fixed(vec![(None, DecodingKey::from_secret(secret.expose().as_bytes()))]),
                kommuner: None,
                kommun_claim: "kommun".into(),
                roles_claim: "roles".into(),
                role_names: None,
            });
        }
        for (i, s) in settings.issuers.iter().enumerate() {
            issuers.push(
                Self::issuer(s).with_context(|| format!("invalid setting issuers[{i}] ({})", s.issuer))?,
            );
        }
        Ok(Self { issuers })
    }

    fn issuer(s: &IssuerSettings) -> anyhow::Result<Issuer> {
        use anyhow::Context;
        let alg = algorithm(&s.algorithm)?;
        let remote = |location: Location| {
            Keys::remote(
                location,
                alg,
                s.jwks_refresh_seconds
                    .map_or(JWKS_REFRESH, |n| Duration::from_secs(n.max(1))),
                s.jwks_refetch_min_seconds
                    .map_or(JWKS_REFETCH_MIN, Duration::from_secs),
            )
        };
        let keys = match (
            alg,
            &s.secret,
            &s.public_key_file,
            &s.jwks_file,
            &s.jwks_url,
            s.discovery,
        ) {
            (Algorithm::HS256, Some(secret), None, None, None, false) => {
                Keys::fixed(vec![(None, DecodingKey::from_secret(secret.expose().as_bytes()))])
            }
            (Algorithm::RS256 | Algorithm::ES256, None, Some(pem), None, None, false) => {
                let bytes = std::fs::read(pem).with_context(|| format!("cannot read {}", pem.display()))?;
                let key = if alg == Algorithm::RS256 {
                    DecodingKey::from_rsa_pem(&bytes)
                } else {
                    DecodingKey::from_ec_pem(&bytes)
                }
                .context("public_key_file is not a PEM public key for the algorithm")?;
                Keys::fixed(vec![(None, key)])
            }
            (Algorithm::RS256 | Algorithm::ES256, None, None, Some(jwks), None, false) => {
                let text = std::fs::read_to_string(jwks)
                    .with_context(|| format!("cannot read {}", jwks.display()))?;
                let set: jsonwebtoken::jwk::JwkSet =
                    serde_json::from_str(&text).context("jwks_file is not a JWKS document")?;
                Keys::fixed(
                    set.keys
                        .iter()
                        .map(|k| Ok((k.common.key_id.clone(), DecodingKey::from_jwk(k)?)))
                        .collect::<Result<Vec<_>, jsonwebtoken::errors::Error>>()
                        .context("jwks_file holds a key that cannot be used")?,
                )
            }
            (Algorithm::RS256 | Algorithm::ES256, None, None, None, Some(url), false) => {
                check_key_url(url, "jwks_url")?;
                remote(Location::Jwks(url.clone()))?
            }
            (Algorithm::RS256 | Algorithm::ES256, None, None, None, None, true) => {
                check_key_url(&s.issuer, "the issuer (for discovery)")?;
                remote(Location::Discovery {
                    issuer: s.issuer.clone(),
                })?
            }
            _ => anyhow::bail!(
                "HS256 needs `secret`; RS256/ES256 need exactly one of `public_key_file`, `jwks_file`, \
                 `jwks_url` or `discovery = true`"
            ),
        };
        let path = |p: &Option<String>, default: &str, name: &str| -> anyhow::Result<String> {
            let p = p.clone().unwrap_or_else(|| default.to_owned());
            anyhow::ensure!(
                !p.is_empty() && p.split('.').all(|part| !part.is_empty()),
                "{name} '{p}' is not a claim name or dotted path"
            );
            Ok(p)
        };
        let role_names = if s.role_names.is_empty() {
            None
        } else {
            let mut map = BTreeMap::new();
            for (theirs, ours) in &s.role_names {
                let role = ours.parse::<Role>().map_err(|_| {
                    anyhow::anyhow!(
                        "role_names maps '{theirs}' to '{ours}', which is not one of viewer, editor, admin, namnd, integration, revisor"
                    )
                })?;
                map.insert(theirs.clone(), role);
            }
            Some(map)
        };
        let kommuner = if s.kommuner.iter().any(|k| k == "*") {
            None
        } else {
            let mut set = BTreeSet::new();
            for k in &s.kommuner {
                set.insert(Kommunkod::parse(k).map_err(anyhow::Error::msg)?.to_string());
            }
            Some(set)
        };
        Ok(Issuer {
            name: s.issuer.clone(),
            audience: s.audience.clone(),
            algorithm: alg,
            keys,
            kommuner,
            kommun_claim: path(&s.kommun_claim, "kommun", "kommun_claim")?,
            roles_claim: path(&s.roles_claim, "roles", "roles_claim")?,
            role_names,
        })
    }

    /// Fetches the keys of every issuer that publishes them, then keeps them fresh in the
    /// background for as long as the verifier lives. A fetch that fails at start is logged,
    /// not fatal: a replica must start while the identity provider is briefly away, and its
    /// tokens verify once a later fetch (refresh or unknown `kid`) succeeds.
    pub async fn start_key_refresh(self: &Arc<Self>) {
        for (i, issuer) in self.issuers.iter().enumerate() {
            let Some(every) = issuer.keys.refresh_every() else {
                continue;
            };
            match issuer.keys.refresh().await {
                Ok(n) => tracing::info!(issuer = %issuer.name, keys = n, "fetched the issuer's keys"),
                Err(e) => {
                    tracing::error!(issuer = %issuer.name, error = %format!("{e:#}"), "cannot fetch the issuer's keys; its tokens are refused until a fetch succeeds")
                }
            }
            let verifier = Arc::downgrade(self);
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(every).await;
                    let Some(verifier) = verifier.upgrade() else {
                        return;
                    };
                    let issuer = &verifier.issuers[i];
                    if let Err(e) = issuer.keys.refresh().await {
                        tracing::warn!(issuer = %issuer.name, error = %format!("{e:#}"), "cannot refresh the issuer's keys; the keys in hand stay in use");
                    }
                }
            });
        }
    }

    /// Verifies a token and resolves its kommun, or says precisely why it is refused. A
    /// token that names a `kid` not yet known makes a fetching issuer fetch its keys again
    /// (at most once per `jwks_refetch_min_seconds`): the identity provider has rotated.
    pub async fn verify(&self, token: &str, reference: &Reference) -> Result<Principal, ApiError> {
        match self.check(token, reference) {
            Checked::Done(result) => result,
            Checked::UnknownKid(i) => {
                self.issuers[i].keys.refetch_for_unknown_kid().await;
                match self.check(token, reference) {
                    Checked::Done(result) => result,
                    Checked::UnknownKid(_) => Err(ApiError::token(
                        TokenRefusal::BadSignature,
                        "no key of the issuer matches the token's kid",
                    )),
                }
            }
        }
    }

    fn check(&self, token: &str, reference: &Reference) -> Checked {
        match self.check_with_keys(token, reference) {
            Ok(Ok(p)) => Checked::Done(Ok(p)),
            Ok(Err(i)) => Checked::UnknownKid(i),
            Err(e) => Checked::Done(Err(e)),
        }
    }

    /// `Ok(Err(n))`: issuer `n` has no key for the token's `kid`.
    fn check_with_keys(
        &self,
        token: &str,
        reference: &Reference,
    ) -> Result<Result<Principal, usize>, ApiError> {
        use TokenRefusal as R;
        let parts: Vec<&str> = token.split('.').collect();
        if parts.len() != 3 {
            return Err(ApiError::token(
                R::Malformed,
                "the bearer token is not a JWT (header.payload.signature)",
            ));
        }
        let part = |i: usize| -> Result<serde_json::Value, ApiError> {
            URL_SAFE_NO_PAD
                .decode(parts[i].trim_end_matches('='))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .ok_or_else(|| ApiError::token(R::Malformed, "the bearer token is not valid base64url JSON"))
        };
        let header = part(0)?;
        let alg = header.get("alg").and_then(|a| a.as_str()).unwrap_or("");
        if alg.eq_ignore_ascii_case("none") {
            return Err(ApiError::token(
                R::AlgNone,
                "unsigned tokens (alg: none) are refused",
            ));
        }
        let payload = part(1)?;
        let iss = payload
            .get("iss")
            .and_then(|i| i.as_str())
            .ok_or_else(|| ApiError::token(R::MissingClaim, "the token has no iss claim"))?;
        let (index, issuer) = self
            .issuers
            .iter()
            .enumerate()
            .find(|(_, i)| i.name == iss)
            .ok_or_else(|| ApiError::token(R::WrongIssuer, format!("issuer '{iss}' is not trusted")))?;
        if alg != format!("{:?}", issuer.algorithm) {
            return Err(ApiError::token(
                R::WrongAlgorithm,
                format!(
                    "issuer '{iss}' signs with {:?}, the token says {alg}",
                    issuer.algorithm
                ),
            ));
        }
        let kid = header.get("kid").and_then(|k| k.as_str());
        let keys = issuer.keys.current();
        // A token without a kid is tried with the issuer's only key; a key without a kid (a
        // PEM file, a secret) is tried with any token.
        let key = keys.iter().find(|(k, _)| match (kid, k) {
            (Some(wanted), Some(k)) => wanted == k,
            (Some(_), None) => true,
            (None, _) => keys.len() == 1,
        });
        let Some((_, key)) = key else {
            if issuer.keys.is_remote() {
                return Ok(Err(index));
            }
            return Err(ApiError::token(
                R::BadSignature,
                "no key of the issuer matches the token's kid",
            ));
        };
        let mut validation = Validation::new(issuer.algorithm);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_audience(&[&issuer.audience]);
        validation.set_issuer(&[&issuer.name]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let claims = jsonwebtoken::decode::<serde_json::Value>(token, key, &validation)
            .map_err(|e| {
                let (r, m) = match e.kind() {
                    ErrorKind::InvalidSignature => (
                        R::BadSignature,
                        "the token's signature does not verify".to_string(),
                    ),
                    ErrorKind::ExpiredSignature => (R::Expired, "the token has expired".to_string()),
                    ErrorKind::ImmatureSignature => {
                        (R::NotYetValid, "the token is not valid yet (nbf)".to_string())
                    }
                    ErrorKind::InvalidAudience => (
                        R::WrongAudience,
                        format!("the token is not for audience '{}'", issuer.audience),
                    ),
                    ErrorKind::InvalidIssuer => {
                        (R::WrongIssuer, "the token's issuer is not trusted".to_string())
                    }
                    ErrorKind::InvalidAlgorithm => (
                        R::WrongAlgorithm,
                        "the token's algorithm is not the issuer's".to_string(),
                    ),
                    ErrorKind::MissingRequiredClaim(c) => {
                        (R::MissingClaim, format!("the token has no {c} claim"))
                    }
                    _ => (R::Malformed, "the token's claims cannot be read".to_string()),
                };
                ApiError::token(r, m)
            })?
            .claims;
        let text = |name: &str| claims.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        let sub = text("sub")
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| ApiError::token(R::MissingClaim, "the token's sub claim is empty"))?;
        let kommun = match claim(&claims, &issuer.kommun_claim) {
            Some(serde_json::Value::String(k)) => k.clone(),
            Some(_) => {
                return Err(ApiError::token(
                    R::InvalidKommun,
                    format!("the token's {} claim is not a string", issuer.kommun_claim),
                ));
            }
            // An issuer that may speak for one kommun only implies it (an Entra ID tenant
            // of one kommun needs no custom claim).
            None => match &issuer.kommuner {
                Some(only) if only.len() == 1 => only.iter().next().cloned().unwrap_or_default(),
                _ => {
                    return Err(ApiError::token(
                        R::MissingClaim,
                        format!("the token has no {} claim", issuer.kommun_claim),
                    ));
                }
            },
        };
        let kommun = Kommunkod::parse(&kommun).map_err(|m| ApiError::token(R::InvalidKommun, m))?;
        if let Some(allowed) = &issuer.kommuner
            && !allowed.contains(kommun.as_str())
        {
            return Err(ApiError::token(
                R::KommunNotAllowed,
                format!("issuer '{iss}' may not speak for kommun {kommun}"),
            ));
        }
        let municipality = reference
            .municipality_by_code(kommun.as_str())
            .ok_or_else(|| match reference.elsewhere(kommun.as_str()) {
                Some(e) => ApiError::token(
                    R::KommunNotServed,
                    format!(
                        "kommun {kommun} ({}, {}) is not served by this deployment",
                        e.name, e.county
                    ),
                ),
                None => ApiError::token(
                    R::UnknownKommun,
                    format!("kommun {kommun} is not known to this service"),
                ),
            })?;
        let raw_roles: Vec<&str> = match claim(&claims, &issuer.roles_claim) {
            None => {
                return Err(ApiError::token(
                    R::MissingClaim,
                    format!("the token has no {} claim", issuer.roles_claim),
                ));
            }
            Some(serde_json::Value::String(one)) => vec![one.as_str()],
            Some(serde_json::Value::Array(list)) => list
                .iter()
                .map(|r| r.as_str())
                .collect::<Option<_>>()
                .ok_or_else(|| {
                    ApiError::token(
                        R::Malformed,
                        format!(
                            "the token's {} claim is not a list of strings",
                            issuer.roles_claim
                        ),
                    )
                })?,
            Some(_) => {
                return Err(ApiError::token(
                    R::Malformed,
                    format!(
                        "the token's {} claim is not a list of strings",
                        issuer.roles_claim
                    ),
                ));
            }
        };
        let mut roles = BTreeSet::new();
        match &issuer.role_names {
            None => {
                for r in &raw_roles {
                    roles.insert(r.parse::<Role>().map_err(|_| {
                        ApiError::token(
                            R::UnknownRole,
                            format!(
                                "unknown role '{r}': expected viewer, editor, admin, namnd, integration or revisor"
                            ),
                        )
                    })?);
                }
            }
            Some(names) => {
                roles.extend(raw_roles.iter().filter_map(|r| names.get(*r)).copied());
                if roles.is_empty() {
                    return Err(ApiError::token(
                        R::UnknownRole,
                        format!(
                            "none of the token's roles is one that issuer '{iss}' maps to a role of this service"
                        ),
                    ));
                }
            }
        }
        Ok(Ok(Principal {
            sub,
            name: text("name"),
            municipality_id: municipality.id,
            kommun: municipality.code.to_string(),
            county_id: municipality.county_id,
            roles,
            expires_at: claims.get("exp").and_then(|e| e.as_i64()),
            issuer: Some(iss.to_string()),
        }))
    }
}

/// Reads the development signing secret from the data folder, creating it on first use.
/// Replicas that share the folder and start at once agree on one secret: it is written to a
/// file of its own and linked into place, which fails for all but the first.
pub fn dev_secret(data_dir: &Path) -> anyhow::Result<Secret> {
    use anyhow::Context;
    use rand::RngCore;
    let path = data_dir.join("dev-signing-secret");
    let read = || {
        std::fs::read_to_string(&path)
            .ok()
            .map(|s| s.trim().to_owned())
            .filter(|s| s.len() >= 32)
    };
    if let Some(s) = read() {
        return Ok(Secret::new(s));
    }
    std::fs::create_dir_all(data_dir).with_context(|| format!("Failed to create {}", data_dir.display()))?;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let s = URL_SAFE_NO_PAD.encode(bytes);
    let mine = data_dir.join(format!("dev-signing-secret.{}", std::process::id()));
    std::fs::write(&mine, &s).with_context(|| format!("Failed to write {}", mine.display()))?;
    let linked = std::fs::hard_link(&mine, &path);
    let _ = std::fs::remove_file(&mine);
    match linked {
        Ok(()) => Ok(Secret::new(s)),
        // A short or unreadable old file is replaced; a concurrent first start's is used.
        Err(_) => match read() {
            Some(theirs) => Ok(Secret::new(theirs)),
            None => {
                std::fs::write(&path, &s).with_context(|| format!("Failed to write {}", path.display()))?;
                Ok(Secret::new(s))
            }
        },
    }
}

/// Signs a development token for `kommun` with `roles`, valid for `ttl_seconds`.
pub fn mint_dev_token(
    secret: &Secret,
    sub: &str,
    kommun: &str,
    roles: &[String],
    ttl_seconds: i64,
) -> anyhow::Result<String> {
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        iss: Some(DEV_ISSUER.into()),
        aud: Some(DEFAULT_AUDIENCE.into()),
        sub: Some(sub.into()),
        exp: Some(now + ttl_seconds),
        nbf: None,
        iat: Some(now),
        kommun: Some(kommun.into()),
        roles: Some(roles.to_vec()),
        name: None,
    };
    Ok(jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.expose().as_bytes()),
    )?)
}
