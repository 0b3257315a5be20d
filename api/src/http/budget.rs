//! Cost budgets: every request is charged what its document costs (the walk that admits it,
//! `graphql::cost`) against a budget per minute, one per kommun for callers with a token and
//! one per client address for anonymous callers. Over budget is `RATE_LIMITED` with
//! `Retry-After`; every answer says `extensions.cost`.
//!
//! Budgets are kept per fixed minute. On SQLite one process holds the database and charges
//! in memory exactly. On PostgreSQL the replicas share each budget through a ledger table
//! (`service::budget::Ledger`): a replica charges requests against a lease it took from the
//! ledger (a fiftieth of the budget) and takes the next lease in the background once less than
//! half of the current one is left, so no request waits on the database. While a lease is on
//! its way a replica may charge up to one more lease (or one request, if larger); once the
//! ledger says the minute's budget is gone it charges only what it was granted. The budget is
//! therefore held to within one lease (or one request) per replica: with three replicas and
//! the default lease, within 6 %.
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use chrono::{DateTime, TimeZone, Utc};
use sha2::{Digest, Sha256};

use crate::{auth::Caller, error::ApiError, graphql::budget::RateLimit, service::budget::Ledger};

/// A lease is this fraction of a minute's budget.
const LEASE_PARTS: u64 = 50;
/// Budgets charged in one minute on a replica; beyond, new anonymous addresses share one
/// budget, so the table is bounded however many addresses call.
const MAX_BUDGETS: usize = 100_000;
/// How long a request waits for a lease when its replica's overdraft is spent.
const LEASE_WAIT: Duration = Duration::from_secs(2);

/// One budget's state on this replica in its minute.
#[derive(Default)]
struct Bucket {
    minute: i64,
    /// Granted to this replica from the ledger (the whole budget where there is no ledger).
    granted: u64,
    /// Charged on this replica.
    spent: u64,
    /// What every replica had taken from the ledger at its last answer.
    taken: u64,
    /// A lease is being taken.
    asking: bool,
    /// The ledger has no more of this minute to grant.
    dry: bool,
}

/// Whose budget a request is charged to.
#[derive(Clone, Debug)]
pub struct Payer {
    name: String,
    limit: u64,
}

/// Every budget this replica charges.
pub struct Budgets {
    per_kommun: u64,
    per_address: u64,
    ledger: Option<Ledger>,
    buckets: Mutex<HashMap<String, Bucket>>,
    leased: tokio::sync::Notify,
}

fn minute_now() -> i64 {
    Utc::now().timestamp().div_euclid(60)
}

fn reset_at(minute: i64) -> DateTime<Utc> {
    Utc.timestamp_opt((minute + 1) * 60, 0)
        .single()
        .unwrap_or_else(Utc::now)
}

fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Bucket {
    fn roll(&mut self, minute: i64, whole: Option<u64>) {
        if self.minute != minute {
            *self = Bucket {
                minute,
                granted: whole.unwrap_or(0),
                dry: whole.is_some(),
                ..Bucket::default()
            };
        }
    }

    /// What is left of the minute's budget as this replica knows it: what the other replicas
    /// have not taken, and what this one has not spent of its own.
    fn remaining(&self, limit: u64) -> u64 {
        let left = i128::from(limit) - i128::from(self.taken.max(self.granted)) + i128::from(self.granted)
            - i128::from(self.spent);
        left.clamp(0, i128::from(limit)) as u64
    }

    fn report(&self, limit: u64, requested: u64) -> RateLimit {
        RateLimit {
            limit: clamp(limit),
            requested: clamp(requested),
            remaining: clamp(self.remaining(limit)),
            reset_at: reset_at(self.minute),
        }
    }
}

impl Budgets {
    /// Budgets of `per_kommun` and `per_address` a minute, shared through `ledger` when there
    /// is one.
    pub fn new(per_kommun: u64, per_address: u64, ledger: Option<Ledger>) -> Arc<Self> {
        Arc::new(Self {
            per_kommun: per_kommun.max(1),
            per_address: per_address.max(1),
            ledger,
            buckets: Mutex::default(),
            leased: tokio::sync::Notify::new(),
        })
    }

    /// The budget `caller` (from `address`) is charged to.
    pub fn payer(&self, caller: &Caller, address: &str) -> Payer {
        match caller.principal() {
            Some(p) => Payer {
                name: format!("k:{}", p.kommun),
                limit: self.per_kommun,
            },
            None => {
                // Addresses are kept only as digests, in memory and in the ledger.
                let digest = Sha256::digest(address.as_bytes());
                let hex = crate::domain::text::hex(&digest[..12]);
                Payer {
                    name: format!("a:{hex}"),
                    limit: self.per_address,
                }
            }
        }
    }

    fn lease(limit: u64) -> u64 {
        (limit / LEASE_PARTS).max(1)
    }

    fn whole(&self, payer: &Payer) -> Option<u64> {
        self.ledger.is_none().then_some(payer.limit)
    }

    /// The budget as it stands, charging nothing.
    pub fn peek(&self, payer: &Payer) -> RateLimit {
        let minute = minute_now();
        let buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        match buckets.get(&payer.name).filter(|b| b.minute == minute) {
            Some(b) => b.report(payer.limit, 0),
            None => {
                let mut b = Bucket::default();
                b.roll(minute, self.whole(payer));
                b.report(payer.limit, 0)
            }
        }
    }

    /// Charges `cost` to `payer`'s budget, or refuses it with `RATE_LIMITED` (and the budget
    /// as it stands) when the minute's budget cannot cover it.
    pub async fn charge(
        self: &Arc<Self>,
        payer: &Payer,
        cost: u64,
    ) -> Result<RateLimit, (ApiError, RateLimit)> {
        if cost == 0 {
            return Ok(self.peek(payer));
        }
        let deadline = tokio::time::Instant::now() + LEASE_WAIT;
        loop {
            let notified = self.leased.notified();
            let minute = minute_now();
            {
                let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
                if !buckets.contains_key(&payer.name) {
                    buckets.retain(|_, b| b.minute >= minute);
                }
                let name = if buckets.len() >= MAX_BUDGETS && !buckets.contains_key(&payer.name) {
                    "a:others".to_owned()
                } else {
                    payer.name.clone()
                };
                let b = buckets.entry(name.clone()).or_default();
                b.roll(minute, self.whole(payer));
                let lease = Self::lease(payer.limit);
                let overdraft = if b.dry { 0 } else { lease.max(cost) };
                if b.spent.saturating_add(cost) <= b.granted.saturating_add(overdraft) {
                    b.spent += cost;
                    let report = b.report(payer.limit, cost);
                    if !b.dry && !b.asking && b.spent.saturating_add(lease / 2) > b.granted {
                        b.asking = true;
                        let amount = lease + b.spent.saturating_sub(b.granted);
                        self.take(name, payer.limit, minute, amount);
                    }
                    return Ok(report);
                }
                let refused = |b: &Bucket| {
                    let secs = (reset_at(minute) - Utc::now()).num_seconds().max(1) as u64;
                    (ApiError::RateLimited(secs), b.report(payer.limit, cost))
                };
                if b.dry || tokio::time::Instant::now() >= deadline {
                    return Err(refused(b));
                }
                if !b.asking {
                    b.asking = true;
                    let amount = lease + b.spent.saturating_sub(b.granted);
                    self.take(name, payer.limit, minute, amount);
                }
            }
            // This replica's overdraft is spent while a lease is on its way.
            let _ = tokio::time::timeout_at(deadline, notified).await;
        }
    }

    /// Takes `amount` of `name`'s `minute` from the ledger in the background, and more while
    /// this replica keeps spending faster than its leases come.
    fn take(self: &Arc<Self>, name: String, limit: u64, minute: i64, amount: u64) {
        let Some(ledger) = self.ledger.clone() else {
            return;
        };
        let budgets = self.clone();
        tokio::spawn(async move {
            let mut amount = amount;
            loop {
                let taken = ledger.take(&name, minute, amount).await;
                let again = {
                    let mut buckets = budgets.buckets.lock().unwrap_or_else(|e| e.into_inner());
                    let Some(b) = buckets.get_mut(&name).filter(|b| b.minute == minute) else {
                        break;
                    };
                    match taken {
                        Ok(total) => {
                            let before = total.saturating_sub(amount);
                            let granted = amount.min(limit.saturating_sub(before));
                            b.granted += granted;
                            b.taken = b.taken.max(total);
                            b.dry = granted < amount;
                        }
                        Err(e) => {
                            // The budget must not make an outage worse: the lease is granted
                            // and the next one asked as usual.
                            tracing::warn!(error = %e, "the cost budget's ledger did not answer; the lease is granted");
                            b.granted += amount;
                        }
                    }
                    let lease = Self::lease(limit);
                    if !b.dry && b.spent.saturating_add(lease / 2) > b.granted {
                        amount = lease + b.spent.saturating_sub(b.granted);
                        true
                    } else {
                        b.asking = false;
                        false
                    }
                };
                budgets.leased.notify_waiters();
                if !again {
                    break;
                }
            }
            budgets.leased.notify_waiters();
        });
    }

    /// Forgets the ledger's past minutes (run now and then by one task per replica).
    pub async fn forget_past(&self) {
        if let Some(ledger) = &self.ledger
            && let Err(e) = ledger.forget_before(minute_now() - 1).await
        {
            tracing::warn!(error = %e, "the cost budget's past minutes were not forgotten");
        }
    }
}

/// `extensions.cost` of an answer.
pub fn extension(report: &RateLimit) -> serde_json::Value {
    serde_json::json!({
        "requested": report.requested,
        "remaining": report.remaining,
        "limit": report.limit,
        "resetAt": report.reset_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })
}

/// `body` (a JSON object without top-level `extensions`) with `extensions.cost` added, so a
/// kept answer is sent with each caller's own budget without parsing it again.
pub fn with_cost(body: &[u8], report: &RateLimit) -> actix_web::web::Bytes {
    let cost = serde_json::json!({ "cost": extension(report) }).to_string();
    let Some(open) = body.strip_suffix(b"}") else {
        return actix_web::web::Bytes::copy_from_slice(body);
    };
    let mut out = Vec::with_capacity(body.len() + cost.len() + 16);
    out.extend_from_slice(open);
    if open.iter().rev().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        out.push(b',');
    }
    out.extend_from_slice(b"\"extensions\":");
    out.extend_from_slice(cost.as_bytes());
    out.push(b'}');
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anonymous(budgets: &Budgets) -> Payer {
        budgets.payer(&Caller::Anonymous, "192.0.2.1")
    }

    #[tokio::test]
    async fn a_budget_in_memory_is_exact() {
        let budgets = Budgets::new(1_000, 100, None);
        let payer = anonymous(&budgets);
        let mut admitted = 0;
        for _ in 0..20 {
            if budgets.charge(&payer, 7).await.is_ok() {
                admitted += 7;
            }
        }
        assert_eq!(admitted, 98, "fourteen requests of 7 fit in 100");
        let (e, report) = budgets.charge(&payer, 7).await.unwrap_err();
        assert_eq!(e.code(), "RATE_LIMITED");
        assert_eq!((report.requested, report.remaining, report.limit), (7, 2, 100));
        let peek = budgets.peek(&payer);
        assert_eq!((peek.requested, peek.remaining), (0, 2));
        assert!(
            budgets.charge(&payer, 2).await.is_ok(),
            "what is left can still be spent"
        );
        assert_eq!(budgets.charge(&payer, 0).await.map(|r| r.remaining).ok(), Some(0));
    }

    #[tokio::test]
    async fn kommuner_and_addresses_have_budgets_of_their_own() {
        let budgets = Budgets::new(10, 5, None);
        let a = anonymous(&budgets);
        let b = budgets.payer(&Caller::Anonymous, "192.0.2.2");
        assert!(budgets.charge(&a, 5).await.is_ok());
        assert!(budgets.charge(&a, 1).await.is_err());
        assert!(
            budgets.charge(&b, 5).await.is_ok(),
            "another address has its own budget"
        );
        assert_ne!(a.name, b.name);
        assert!(
            !a.name.contains("192.0.2"),
            "addresses are kept as digests: {}",
            a.name
        );
    }

    #[test]
    fn the_cost_is_added_to_a_kept_answer() {
        let report = RateLimit {
            limit: 100,
            requested: 3,
            remaining: 97,
            reset_at: reset_at(0),
        };
        let with = with_cost(br#"{"data":{"a":1}}"#, &report);
        let v: serde_json::Value = serde_json::from_slice(&with).unwrap();
        assert_eq!(v["data"]["a"], 1);
        assert_eq!(v["extensions"]["cost"]["requested"], 3);
        assert_eq!(v["extensions"]["cost"]["remaining"], 97);
        assert_eq!(v["extensions"]["cost"]["resetAt"], "1970-01-01T00:01:00Z");
        let empty: serde_json::Value = serde_json::from_slice(&with_cost(b"{}", &report)).unwrap();
        assert_eq!(empty["extensions"]["cost"]["limit"], 100);
    }
}
