//! An issuer's verification keys: fixed (a secret, a PEM file, a JWKS file) or fetched from
//! its JWKS URL, given or found by OIDC discovery, and replaced without a restart when the
//! identity provider rotates them.
use std::{
    sync::{Arc, Mutex, RwLock},
    time::{Duration, Instant},
};

use anyhow::Context;
use jsonwebtoken::{Algorithm, DecodingKey, jwk::Jwk};

/// Keys with their `kid`; a key from a PEM file or a secret has none.
pub(super) type KeyList = Arc<Vec<(Option<String>, DecodingKey)>>;

/// A JWKS or discovery document larger than this is refused: real ones are a few kB.
const MAX_DOCUMENT_BYTES: usize = 256 * 1024;
/// A fetch that takes longer than this fails; the keys in hand stay in use.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Where an issuer's keys are published.
#[derive(Clone, Debug)]
pub(super) enum Location {
    /// The JWKS document itself.
    Jwks(String),
    /// The issuer, whose OIDC discovery document names the JWKS document.
    Discovery { issuer: String },
}

pub(super) struct Keys {
    current: RwLock<KeyList>,
    remote: Option<Remote>,
}

struct Remote {
    location: Location,
    algorithm: Algorithm,
    client: reqwest::Client,
    refresh_every: Duration,
    min_refetch: Duration,
    /// When a fetch last started, for `min_refetch`.
    last_attempt: Mutex<Option<Instant>>,
    /// One fetch at a time; requests that meet an unknown `kid` meanwhile wait for its keys.
    fetching: tokio::sync::Mutex<()>,
}

impl Keys {
    pub(super) fn fixed(keys: Vec<(Option<String>, DecodingKey)>) -> Self {
        Self {
            current: RwLock::new(Arc::new(keys)),
            remote: None,
        }
    }

    /// Keys that are fetched: none until `refresh` first succeeds.
    pub(super) fn remote(
        location: Location,
        algorithm: Algorithm,
        refresh_every: Duration,
        min_refetch: Duration,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .user_agent(concat!("samverkan/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("cannot build the HTTP client for the issuer's keys")?;
        Ok(Self {
            current: RwLock::new(Arc::new(Vec::new())),
            remote: Some(Remote {
                location,
                algorithm,
                client,
                refresh_every,
                min_refetch,
                last_attempt: Mutex::new(None),
                fetching: tokio::sync::Mutex::new(()),
            }),
        })
    }

    pub(super) fn current(&self) -> KeyList {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(super) fn is_remote(&self) -> bool {
        self.remote.is_some()
    }

    /// How often `refresh` should run, for fetched keys.
    pub(super) fn refresh_every(&self) -> Option<Duration> {
        self.remote.as_ref().map(|r| r.refresh_every)
    }

    /// Fetches the keys now and puts them in use; the old ones stay on any failure.
    pub(super) async fn refresh(&self) -> anyhow::Result<usize> {
        let Some(remote) = &self.remote else {
            return Ok(self.current().len());
        };
        let _one = remote.fetching.lock().await;
        self.fetch_into_use(remote).await
    }

    /// After a token named a `kid` that no key in hand has: fetch again, unless a fetch
    /// started less than `min_refetch` ago (then that fetch's keys are the answer).
    pub(super) async fn refetch_for_unknown_kid(&self) {
        let Some(remote) = &self.remote else { return };
        let _one = remote.fetching.lock().await;
        let recent = remote
            .last_attempt
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some_and(|t| t.elapsed() < remote.min_refetch);
        if recent {
            return;
        }
        if let Err(e) = self.fetch_into_use(remote).await {
            tracing::warn!(error = %format!("{e:#}"), "cannot fetch the issuer's keys for an unknown kid");
        }
    }

    async fn fetch_into_use(&self, remote: &Remote) -> anyhow::Result<usize> {
        *remote.last_attempt.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        let keys = remote.fetch().await?;
        let n = keys.len();
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(keys);
        Ok(n)
    }
}

impl Remote {
    async fn fetch(&self) -> anyhow::Result<Vec<(Option<String>, DecodingKey)>> {
        let url = match &self.location {
            Location::Jwks(url) => url.clone(),
            Location::Discovery { issuer } => {
                let at = format!(
                    "{}/.well-known/openid-configuration",
                    issuer.trim_end_matches('/')
                );
                let doc = self.get_json(&at).await?;
                // OIDC Discovery 1.0, 4.3: the document must name the issuer it was asked for.
                let named = doc.get("issuer").and_then(|i| i.as_str());
                anyhow::ensure!(
                    named == Some(issuer.as_str()),
                    "{at} names issuer {named:?}, not {issuer}"
                );
                doc.get("jwks_uri")
                    .and_then(|u| u.as_str())
                    .with_context(|| format!("{at} has no jwks_uri"))?
                    .to_owned()
            }
        };
        let doc = self.get_json(&url).await?;
        let entries = doc
            .get("keys")
            .and_then(|k| k.as_array())
            .with_context(|| format!("{url} is not a JWKS document (no keys)"))?;
        let mut keys = Vec::new();
        for entry in entries {
            // Identity providers publish encryption keys and other algorithms beside the
            // signing keys; only keys that can verify this issuer's algorithm are kept.
            let Ok(jwk) = serde_json::from_value::<Jwk>(entry.clone()) else {
                continue;
            };
            if !self.can_verify(entry) {
                continue;
            }
            if let Ok(key) = DecodingKey::from_jwk(&jwk) {
                keys.push((jwk.common.key_id.clone(), key));
            }
        }
        anyhow::ensure!(
            !keys.is_empty(),
            "{url} holds no {:?} signing key",
            self.algorithm
        );
        Ok(keys)
    }

    fn can_verify(&self, entry: &serde_json::Value) -> bool {
        let field = |k: &str| entry.get(k).and_then(|v| v.as_str());
        let kty = match self.algorithm {
            Algorithm::RS256 => "RSA",
            Algorithm::ES256 => "EC",
            _ => return false,
        };
        field("kty") == Some(kty)
            && field("use").is_none_or(|u| u == "sig")
            && field("alg").is_none_or(|a| a == format!("{:?}", self.algorithm))
    }

    async fn get_json(&self, url: &str) -> anyhow::Result<serde_json::Value> {
        let mut response = self
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .with_context(|| format!("cannot fetch {url}"))?;
        anyhow::ensure!(
            response.status().is_success(),
            "{url} answered {}",
            response.status()
        );
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .with_context(|| format!("cannot read {url}"))?
        {
            body.extend_from_slice(&chunk);
            anyhow::ensure!(
                body.len() <= MAX_DOCUMENT_BYTES,
                "{url} is larger than {MAX_DOCUMENT_BYTES} bytes"
            );
        }
        serde_json::from_slice(&body).with_context(|| format!("{url} is not JSON"))
    }
}
