//! Every way a token is refused, each with its own reason, and the issuers that are trusted.
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::{
    both_backends,
    helpers::{COUNTY_IDP, ES_IDP, OREBRO_IDP, OREBRO_SECRET, TestApp, fixture},
};

const WHO: &str = "{ viewer { sub municipality { code } roles } }";

fn sign(alg: Algorithm, key: &EncodingKey, kid: Option<&str>, claims: &Value) -> String {
    let mut h = Header::new(alg);
    h.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&h, claims, key).unwrap()
}

fn claims(iss: &str, kommun: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"iss": iss, "aud": "samverkan", "sub": "anna", "exp": now + 600, "kommun": kommun, "roles": ["viewer"]})
}

async fn refused(app: &TestApp, token: &str, reason: &str) {
    let r = app.with_token(token).gql(WHO, json!({})).await;
    assert_eq!(r.status, 401, "{reason}: {}", r.body);
    r.expect_code("UNAUTHENTICATED");
    assert_eq!(r.reason(), Some(reason), "{}", r.body);
    assert!(r.body.get("data").is_none());
}

async fn every_bad_token_is_refused_with_its_own_reason(app: TestApp) {
    let now = chrono::Utc::now().timestamp();
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());

    refused(&app, "not-a-jwt", "MALFORMED_TOKEN").await;
    refused(&app, "a.b.c", "MALFORMED_TOKEN").await;
    let r = app
        .client
        .post(format!("{}/graphql", app.base))
        .header("authorization", "Basic dXNlcjpwdw==")
        .json(&json!({"query": WHO}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    let claims_ok = app.dev_claims("1880", &["viewer"]);
    let none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&claims_ok)
    );
    refused(&app, &none, "ALG_NONE").await;

    // Algorithm confusion: an HS256 token for an RS256 issuer, keyed with its public key.
    let public = std::fs::read(fixture("rs256-public.pem")).unwrap();
    let confused = sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(&public),
        None,
        &claims(COUNTY_IDP, "1880"),
    );
    refused(&app, &confused, "WRONG_ALGORITHM").await;

    let forged = sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(b"not-the-secret-not-the-secret-00"),
        None,
        &claims_ok,
    );
    refused(&app, &forged, "BAD_SIGNATURE").await;

    let mut expired = claims_ok.clone();
    expired["exp"] = json!(now - 3600);
    refused(&app, &app.sign_dev(&expired), "TOKEN_EXPIRED").await;
    let mut early = claims_ok.clone();
    early["nbf"] = json!(now + 3600);
    refused(&app, &app.sign_dev(&early), "TOKEN_NOT_YET_VALID").await;
    // Within the clock leeway a token still passes.
    let mut skewed = claims_ok.clone();
    skewed["exp"] = json!(now - 5);
    app.with_token(app.sign_dev(&skewed)).ok(WHO, json!({})).await;

    let mut iss = claims_ok.clone();
    iss["iss"] = json!("https://evil.example");
    refused(&app, &app.sign_dev(&iss), "WRONG_ISSUER").await;
    let mut aud = claims_ok.clone();
    aud["aud"] = json!("another-service");
    refused(&app, &app.sign_dev(&aud), "WRONG_AUDIENCE").await;

    let mut no_kommun = claims_ok.clone();
    no_kommun.as_object_mut().unwrap().remove("kommun");
    refused(&app, &app.sign_dev(&no_kommun), "MISSING_CLAIM").await;
    let mut no_exp = claims_ok.clone();
    no_exp.as_object_mut().unwrap().remove("exp");
    refused(&app, &app.sign_dev(&no_exp), "MISSING_CLAIM").await;
    refused(
        &app,
        &app.sign_dev(&app.dev_claims("18x0", &["viewer"])),
        "INVALID_KOMMUN",
    )
    .await;
    refused(
        &app,
        &app.sign_dev(&app.dev_claims("1899", &["viewer"])),
        "UNKNOWN_KOMMUN",
    )
    .await;
    // Stockholm is a real kommun, of a county this deployment (county 18) does not serve.
    let r = app
        .with_token(app.sign_dev(&app.dev_claims("0180", &["viewer"])))
        .gql(WHO, json!({}))
        .await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(r.reason(), Some("KOMMUN_NOT_SERVED"), "{}", r.body);
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Stockholm") && m.contains("not served")),
        "{}",
        r.body
    );
    refused(
        &app,
        &app.sign_dev(&app.dev_claims("1880", &["viewer", "superuser"])),
        "UNKNOWN_ROLE",
    )
    .await;

    // Örebro's identity provider may speak for Örebro only.
    let orebro_key = EncodingKey::from_secret(OREBRO_SECRET.as_bytes());
    let ok = sign(Algorithm::HS256, &orebro_key, None, &claims(OREBRO_IDP, "1880"));
    assert_eq!(
        app.with_token(ok).ok(WHO, json!({})).await["viewer"]["municipality"]["code"],
        "1880"
    );
    let foreign = sign(Algorithm::HS256, &orebro_key, None, &claims(OREBRO_IDP, "1881"));
    refused(&app, &foreign, "KOMMUN_NOT_ALLOWED_FOR_ISSUER").await;

    // RS256 from a JWKS document, chosen by kid; ES256 from a PEM key.
    let rsa = EncodingKey::from_rsa_pem(&std::fs::read(fixture("rs256-private.pem")).unwrap()).unwrap();
    let rs = sign(
        Algorithm::RS256,
        &rsa,
        Some("test-rs-1"),
        &claims(COUNTY_IDP, "1885"),
    );
    assert_eq!(
        app.with_token(rs).ok(WHO, json!({})).await["viewer"]["municipality"]["code"],
        "1885"
    );
    let ec = EncodingKey::from_ec_pem(&std::fs::read(fixture("es256-private.pk8.pem")).unwrap()).unwrap();
    let es = sign(Algorithm::ES256, &ec, None, &claims(ES_IDP, "1881"));
    assert_eq!(
        app.with_token(es).ok(WHO, json!({})).await["viewer"]["sub"],
        "anna"
    );
    let es_foreign = sign(Algorithm::ES256, &ec, None, &claims(ES_IDP, "1860"));
    refused(&app, &es_foreign, "KOMMUN_NOT_ALLOWED_FOR_ISSUER").await;
    // An ES256 token for the RS256 issuer is the wrong algorithm, not a bad signature.
    let es_for_rs = sign(Algorithm::ES256, &ec, None, &claims(COUNTY_IDP, "1880"));
    refused(&app, &es_for_rs, "WRONG_ALGORITHM").await;

    // No token at all is not an error: the caller is anonymous.
    assert!(app.anonymous().ok(WHO, json!({})).await["viewer"].is_null());
}
both_backends!(every_bad_token_is_refused_with_its_own_reason);

#[tokio::test]
async fn production_mode_refuses_to_start_without_real_issuers() {
    use samverkan::settings::Settings;
    let e = Settings::from_sources(&[("SAMVERKAN_MODE".into(), "production".into())]).unwrap_err();
    assert!(e.to_string().contains("issuers"), "{e}");
}
