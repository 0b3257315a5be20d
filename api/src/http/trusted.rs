//! Trusted documents (persisted operations): the manifests of the clients that run a fixed set
//! of operations (municipal portals), and how a request's document is found from them.
//!
//! A request names its document by `documentId` (`sha256:<hex>`, the GraphQL-over-HTTP
//! persisted documents proposal) or by Apollo's `extensions.persistedQuery.sha256Hash`, or
//! sends its text. A client whose manifest is enforced runs only the manifest's documents, by
//! id or by identical text; the refusal comes before parsing, so a flood of unknown ids or
//! texts costs a hash and a map lookup each. Manifests are checked whole at load (every key
//! the SHA-256 of its text) and reloaded on SIGHUP, a bad one keeping the previous.
use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use sha2::{Digest, Sha256};

use crate::{
    auth::{Caller, Role},
    error::ApiError,
    settings::{TrustMode, TrustedClient},
};

/// One client's manifest as loaded.
struct Loaded {
    client: TrustedClient,
    roles: Vec<Role>,
    documents: HashMap<String, Arc<str>>,
}

/// Every client's manifest; swapped whole on reload.
#[derive(Default)]
pub struct Trusted {
    clients: RwLock<Arc<Vec<Loaded>>>,
}

/// `sha256:<64 lowercase hex>` of `text`.
pub fn document_id(text: &str) -> String {
    format!(
        "sha256:{}",
        crate::domain::text::hex(&Sha256::digest(text.as_bytes()))
    )
}

fn well_formed(id: &str) -> bool {
    id.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// Reads and checks one manifest: a JSON object whose every key is the SHA-256 of its text.
fn manifest(client: &TrustedClient) -> Result<HashMap<String, Arc<str>>, String> {
    let path = client.manifest.display();
    let text = std::fs::read_to_string(&client.manifest)
        .map_err(|e| format!("trusted documents of {}: cannot read {path}: {e}", client.name))?;
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).map_err(|e| {
        format!(
            "trusted documents of {}: {path} is not a JSON object: {e}",
            client.name
        )
    })?;
    let mut documents = HashMap::with_capacity(map.len());
    for (key, value) in map {
        let Some(doc) = value.as_str() else {
            return Err(format!(
                "trusted documents of {}: {path}: {key} is not a string",
                client.name
            ));
        };
        if !well_formed(&key) {
            return Err(format!(
                "trusted documents of {}: {path}: key {key} is not sha256:<64 lowercase hex>",
                client.name
            ));
        }
        if document_id(doc) != key {
            return Err(format!(
                "trusted documents of {}: {path}: the text of {key} does not hash to its key",
                client.name
            ));
        }
        documents.insert(key, Arc::from(doc));
    }
    Ok(documents)
}

fn load(clients: &[TrustedClient]) -> Result<Vec<Loaded>, String> {
    clients
        .iter()
        .map(|c| {
            Ok(Loaded {
                roles: c.roles.iter().filter_map(|r| r.parse().ok()).collect(),
                documents: manifest(c)?,
                client: c.clone(),
            })
        })
        .collect()
}

/// What a request asks to run, before its document is known.
pub struct Asked {
    pub query: Option<String>,
    /// `documentId`, or Apollo's `persistedQuery.sha256Hash` with the prefix added.
    pub document_id: Option<String>,
}

impl Trusted {
    /// Loads every manifest; start-up refuses to serve with one that is wrong.
    pub fn new(clients: &[TrustedClient]) -> Result<Self, String> {
        Ok(Self {
            clients: RwLock::new(Arc::new(load(clients)?)),
        })
    }

    /// Loads the manifests again; on any error the ones in use stay, and the error names the
    /// manifest and the entry. Returns how many documents are trusted now.
    pub fn reload(&self, clients: &[TrustedClient]) -> Result<usize, String> {
        let loaded = load(clients)?;
        let n = loaded.iter().map(|l| l.documents.len()).sum();
        *self.clients.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(loaded);
        Ok(n)
    }

    fn snapshot(&self) -> Arc<Vec<Loaded>> {
        self.clients.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The document the request runs, or why it may not run: an id that is malformed,
    /// unknown, or disagrees with the text sent beside it; or, for a client whose manifest is
    /// enforced, a text the manifest does not hold.
    pub fn resolve(&self, caller: &Caller, asked: Asked) -> Result<String, ApiError> {
        let clients = self.snapshot();
        let mine = clients.iter().find(|l| applies(&l.client, &l.roles, caller));
        match asked.document_id {
            Some(id) => {
                if !well_formed(&id) {
                    return Err(ApiError::input("documentId", "must be sha256:<64 lowercase hex>"));
                }
                if let Some(text) = &asked.query
                    && document_id(text) != id
                {
                    return Err(ApiError::input(
                        "query",
                        "the query's text does not hash to its documentId",
                    ));
                }
                // A client's own manifest first; otherwise any registered document (their texts
                // are no secret: every portal's build holds them).
                let found = mine
                    .and_then(|l| l.documents.get(&id))
                    .or_else(|| clients.iter().find_map(|l| l.documents.get(&id)));
                match (found, asked.query) {
                    (Some(text), _) => Ok(text.to_string()),
                    (None, Some(text)) => self.by_text(mine, text),
                    (None, None) => Err(ApiError::NotFound(format!(
                        "PersistedQueryNotFound: no trusted document {id}; send its text, or register it in the client's manifest"
                    ))),
                }
            }
            None => match asked.query {
                Some(text) => self.by_text(mine, text),
                None => Err(ApiError::input(
                    "query",
                    "the request has no query and no documentId",
                )),
            },
        }
    }

    fn by_text(&self, mine: Option<&Loaded>, text: String) -> Result<String, ApiError> {
        match mine {
            Some(l) if l.client.mode == TrustMode::Enforce => {
                if l.documents.contains_key(&document_id(&text)) {
                    Ok(text)
                } else {
                    Err(ApiError::Forbidden(format!(
                        "this client ({}) runs only the documents of its manifest; send a documentId it lists",
                        l.client.name
                    )))
                }
            }
            _ => Ok(text),
        }
    }
}

fn applies(client: &TrustedClient, roles: &[Role], caller: &Caller) -> bool {
    match caller.principal() {
        None => client.anonymous,
        Some(p) => {
            client
                .issuer
                .as_deref()
                .is_none_or(|iss| p.issuer.as_deref() == Some(iss))
                && p.roles.iter().any(|r| roles.contains(r))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_the_sha256_of_the_text() {
        // printf '%s' '{ counties { code } }' | sha256sum
        assert_eq!(
            document_id("{ counties { code } }"),
            "sha256:0175403e64808feae3376285dcdd073b61e620b14a4c599b4c5b9f4c22a3e126"
        );
        assert!(well_formed(&document_id("x")));
        assert!(!well_formed("sha256:ABC"));
        assert!(!well_formed("md5:00"));
    }
}
