//! Identity providers as municipalities run them: keys fetched from a JWKS URL or found by
//! OIDC discovery, rotated without a restart, and roles and kommun read where Keycloak and
//! Entra ID put them. An identity provider runs inside the test, on loopback.
use std::sync::{Arc, Mutex};

use jsonwebtoken::{Algorithm, EncodingKey, Header, jwk::Jwk};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use samverkan::settings::IssuerSettings;

use crate::helpers::{Backend, TestApp, fixture};

const WHO: &str = "{ viewer { sub municipality { code } roles } }";

/// A test identity provider: serves its discovery document and its JWKS, counts fetches,
/// and can be taken down.
struct Idp {
    base: String,
    state: Arc<Mutex<IdpState>>,
}

struct IdpState {
    jwks: Value,
    down: bool,
    jwks_fetches: usize,
}

impl Idp {
    async fn start(jwks: Value) -> Idp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(IdpState {
            jwks,
            down: false,
            jwks_fetches: 0,
        }));
        let (shared, issuer) = (state.clone(), base.clone());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (state, issuer) = (shared.clone(), issuer.clone());
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                    }
                    let line = String::from_utf8_lossy(&request);
                    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
                    let (status, body) = {
                        let mut s = state.lock().unwrap();
                        if s.down {
                            ("503 Service Unavailable", "{}".to_owned())
                        } else if path == "/.well-known/openid-configuration" {
                            let doc = json!({"issuer": issuer, "jwks_uri": format!("{issuer}/keys")});
                            ("200 OK", doc.to_string())
                        } else if path == "/keys" {
                            s.jwks_fetches += 1;
                            ("200 OK", s.jwks.to_string())
                        } else {
                            ("404 Not Found", "{}".to_owned())
                        }
                    };
                    let answer = format!(
                        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(answer.as_bytes()).await;
                });
            }
        });
        Idp { base, state }
    }

    fn serve(&self, jwks: Value) {
        self.state.lock().unwrap().jwks = jwks;
    }

    fn fetches(&self) -> usize {
        self.state.lock().unwrap().jwks_fetches
    }

    fn set_down(&self, down: bool) {
        self.state.lock().unwrap().down = down;
    }
}

fn key(file: &str) -> EncodingKey {
    EncodingKey::from_rsa_pem(&std::fs::read(fixture(file)).unwrap()).unwrap()
}

/// The public half of `file` as a JWK, as an identity provider publishes it.
fn jwk(file: &str, kid: &str) -> Value {
    let mut jwk = Jwk::from_encoding_key(&key(file), Algorithm::RS256).unwrap();
    jwk.common.key_id = Some(kid.into());
    let mut v = serde_json::to_value(jwk).unwrap();
    v["use"] = json!("sig");
    v
}

fn jwks(keys: &[Value]) -> Value {
    json!({ "keys": keys })
}

fn sign(file: &str, kid: &str, claims: Value) -> String {
    let mut h = Header::new(Algorithm::RS256);
    h.kid = Some(kid.into());
    jsonwebtoken::encode(&h, &claims, &key(file)).unwrap()
}

fn claims(iss: &str, extra: Value) -> Value {
    let mut c =
        json!({"iss": iss, "aud": "samverkan", "sub": "anna", "exp": chrono::Utc::now().timestamp() + 600});
    c.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    c
}

/// A test app that also trusts `issuer`, RS256.
async fn trusting(issuer: IssuerSettings) -> TestApp {
    TestApp::spawn_with(Backend::Sqlite, |s| {
        s.issuers.push(IssuerSettings {
            algorithm: "RS256".into(),
            ..issuer
        })
    })
    .await
    .unwrap()
}

async fn who(app: &TestApp, token: &str) -> Result<Value, (u16, String)> {
    let r = app.with_token(token).gql(WHO, json!({})).await;
    if r.status == 200 && r.body.get("errors").is_none() {
        Ok(r.body["data"]["viewer"].clone())
    } else {
        Err((r.status, r.reason().unwrap_or("").to_owned()))
    }
}

/// Keys come from the JWKS URL; a token signed with a key the provider rotated in verifies
/// at once (an unknown `kid` fetches again), and a key the provider retired stops verifying.
#[tokio::test]
async fn keys_from_a_jwks_url_rotate_without_a_restart() {
    let idp = Idp::start(jwks(&[jwk("rs256-private.pem", "a")])).await;
    let iss = "https://idp.rotating.example";
    let url = format!("{}/keys", idp.base);
    let app = trusting(IssuerSettings {
        issuer: iss.into(),
        audience: "samverkan".into(),
        jwks_url: Some(url),
        jwks_refetch_min_seconds: Some(0),
        kommuner: vec!["*".into()],
        ..Default::default()
    })
    .await;
    assert_eq!(idp.fetches(), 1, "fetched once at start");
    let as_1880 = json!({"kommun": "1880", "roles": ["viewer"]});
    let v = who(
        &app,
        &sign("rs256-private.pem", "a", claims(iss, as_1880.clone())),
    )
    .await
    .unwrap();
    assert_eq!(v["municipality"]["code"], "1880");
    assert_eq!(idp.fetches(), 1, "a known kid needs no fetch");

    idp.serve(jwks(&[
        jwk("rs256-private.pem", "a"),
        jwk("rs256-b-private.pem", "b"),
    ]));
    who(
        &app,
        &sign("rs256-b-private.pem", "b", claims(iss, as_1880.clone())),
    )
    .await
    .unwrap();
    assert_eq!(idp.fetches(), 2, "the new kid was fetched");

    idp.serve(jwks(&[jwk("rs256-b-private.pem", "b")]));
    let retired = sign("rs256-private.pem", "a", claims(iss, as_1880.clone()));
    // Still in hand until the next fetch: the provider's own overlap of old and new key.
    who(&app, &retired).await.unwrap();
    who(
        &app,
        &sign("rs256-b-private.pem", "c", claims(iss, as_1880.clone())),
    )
    .await
    .unwrap_err();
    assert_eq!(
        who(&app, &retired).await.unwrap_err(),
        (401, "BAD_SIGNATURE".into()),
        "after a fetch the retired key is gone"
    );
    // A key the provider never published, under a kid it did publish.
    assert_eq!(
        who(&app, &sign("rs256-private.pem", "b", claims(iss, as_1880)))
            .await
            .unwrap_err(),
        (401, "BAD_SIGNATURE".into())
    );
}

/// Made-up `kid`s cannot make the service hammer the identity provider: one fetch per
/// `jwks_refetch_min_seconds`, however many tokens ask.
#[tokio::test]
async fn unknown_kids_fetch_at_most_once_per_interval() {
    let idp = Idp::start(jwks(&[jwk("rs256-private.pem", "a")])).await;
    let iss = "https://idp.limited.example";
    let url = format!("{}/keys", idp.base);
    let app = trusting(IssuerSettings {
        issuer: iss.into(),
        audience: "samverkan".into(),
        jwks_url: Some(url),
        kommuner: vec!["*".into()],
        ..Default::default()
    })
    .await;
    let start = idp.fetches();
    for i in 0..25 {
        let t = sign(
            "rs256-private.pem",
            &format!("made-up-{i}"),
            claims(iss, json!({"kommun": "1880", "roles": ["viewer"]})),
        );
        assert_eq!(who(&app, &t).await.unwrap_err(), (401, "BAD_SIGNATURE".into()));
    }
    assert!(
        idp.fetches() - start <= 1,
        "{} fetches for 25 made-up kids",
        idp.fetches() - start
    );
}

/// Keycloak: keys by discovery, roles in `realm_access.roles` named the realm's way, among
/// roles for other systems; a realm of one kommun implies it.
#[tokio::test]
async fn a_keycloak_realm_by_discovery_with_mapped_roles() {
    let idp = Idp::start(jwks(&[jwk("rs256-private.pem", "kc-1")])).await;
    let iss = idp.base.clone();
    let app = trusting(IssuerSettings {
        issuer: iss.clone(),
        audience: "samverkan".into(),
        discovery: true,
        roles_claim: Some("realm_access.roles".into()),
        role_names: [("samverkan-editor", "editor"), ("samverkan-admin", "admin")]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .into(),
        kommuner: vec!["1881".into()],
        ..Default::default()
    })
    .await;
    let token = sign(
        "rs256-private.pem",
        "kc-1",
        claims(
            &iss,
            json!({"realm_access": {"roles": ["offline_access", "uma_authorization", "samverkan-editor"]}}),
        ),
    );
    let v = who(&app, &token).await.unwrap();
    assert_eq!(
        v["municipality"]["code"], "1881",
        "implied by the one-kommun realm"
    );
    assert_eq!(v["roles"], json!(["editor"]), "other systems' roles are ignored");

    let unmapped = sign(
        "rs256-private.pem",
        "kc-1",
        claims(
            &iss,
            json!({"realm_access": {"roles": ["offline_access", "editor"]}}),
        ),
    );
    assert_eq!(
        who(&app, &unmapped).await.unwrap_err(),
        (401, "UNKNOWN_ROLE".into())
    );
    let other_kommun = sign(
        "rs256-private.pem",
        "kc-1",
        claims(
            &iss,
            json!({"kommun": "1880", "realm_access": {"roles": ["samverkan-admin"]}}),
        ),
    );
    assert_eq!(
        who(&app, &other_kommun).await.unwrap_err(),
        (401, "KOMMUN_NOT_ALLOWED_FOR_ISSUER".into()),
        "a claim for another kommun is still refused"
    );
    let no_roles = sign("rs256-private.pem", "kc-1", claims(&iss, json!({})));
    assert_eq!(
        who(&app, &no_roles).await.unwrap_err(),
        (401, "MISSING_CLAIM".into())
    );
}

/// Entra ID: app roles in `roles` with the application's names, no kommun claim; and the
/// provider is down when the service starts: the service starts anyway, refuses the
/// provider's tokens meanwhile, and accepts them once the keys can be fetched, refreshed in
/// the background without any request asking.
#[tokio::test]
async fn an_entra_tenant_whose_keys_arrive_after_the_start() {
    let idp = Idp::start(jwks(&[jwk("rs256-private.pem", "entra-1")])).await;
    idp.set_down(true);
    let iss = "https://login.microsoftonline.example/tenant-1/v2.0";
    let url = format!("{}/keys", idp.base);
    let app = trusting(IssuerSettings {
        issuer: iss.into(),
        audience: "api://samverkan".into(),
        jwks_url: Some(url),
        jwks_refresh_seconds: Some(1),
        jwks_refetch_min_seconds: Some(3600),
        role_names: [("Samverkan.Viewer", "viewer"), ("Samverkan.Namnd", "namnd")]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .into(),
        kommuner: vec!["1885".into()],
        ..Default::default()
    })
    .await;
    let mut c = claims(
        iss,
        json!({"roles": ["Samverkan.Viewer", "Samverkan.Namnd"], "name": "Anna Andersson"}),
    );
    c["aud"] = json!("api://samverkan");
    let token = sign("rs256-private.pem", "entra-1", c);
    assert_eq!(
        who(&app, &token).await.unwrap_err(),
        (401, "BAD_SIGNATURE".into())
    );

    idp.set_down(false);
    let before = idp.fetches();
    let mut waited = 0;
    while idp.fetches() == before && waited < 50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    assert!(idp.fetches() > before, "the background refresh fetched the keys");
    let v = who(&app, &token).await.unwrap();
    assert_eq!(v["municipality"]["code"], "1885");
    assert_eq!(v["roles"], json!(["viewer", "namnd"]));
}

/// Settings that would trust keys from anywhere, or grant a role that does not exist, stop
/// the start with a message naming them.
#[test]
fn unsafe_or_unknown_issuer_settings_stop_the_start() {
    let refused = |issuer: IssuerSettings, words: &str| {
        let mut settings = samverkan::settings::Settings::from_sources(&[]).unwrap();
        settings.issuers = vec![IssuerSettings {
            issuer: "https://idp.example".into(),
            audience: "samverkan".into(),
            algorithm: "RS256".into(),
            kommuner: vec!["*".into()],
            ..issuer
        }];
        let e = samverkan::auth::Verifier::from_settings(&settings, None)
            .err()
            .expect("refused");
        assert!(format!("{e:#}").contains(words), "{e:#}");
    };
    let url = |u: &str| Some(u.to_owned());
    refused(
        IssuerSettings {
            jwks_url: url("http://idp.example/keys"),
            ..Default::default()
        },
        "https://",
    );
    refused(
        IssuerSettings {
            jwks_url: url("https://idp.example/keys"),
            discovery: true,
            ..Default::default()
        },
        "exactly one of",
    );
    refused(
        IssuerSettings {
            jwks_url: url("https://idp.example/keys"),
            role_names: [("x".to_owned(), "superuser".to_owned())].into(),
            ..Default::default()
        },
        "superuser",
    );
    refused(
        IssuerSettings {
            jwks_url: url("https://idp.example/keys"),
            roles_claim: url("realm_access..roles"),
            ..Default::default()
        },
        "realm_access..roles",
    );
}
