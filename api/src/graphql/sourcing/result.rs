//! The computed result of an evaluation as the API shows it: ranking, missing scores, risk
//! flags and robustness.
use super::*;
use crate::graphql::scalars::Decimal;
use async_graphql::{ComplexObject, Context, Object, Result, SimpleObject};

use crate::graphql::reference::{Municipality, municipality};
use crate::{
    domain::sourcing::RiskCode,
    service::sourcing::{self as svc},
};

/// The computed result of an evaluation.
pub struct SourcingResultView {
    pub(super) r: crate::domain::sourcing::SourcingResult,
    pub(super) parts: svc::EvaluationParts,
}

impl SourcingResultView {
    fn option(&self, id: i64) -> Option<SourcingOption> {
        self.parts
            .options
            .iter()
            .find(|o| o.id == id)
            .cloned()
            .map(SourcingOption)
    }
    fn criterion(&self, id: i64) -> Option<SourcingCriterion> {
        self.parts
            .criteria
            .iter()
            .find(|c| c.id == id)
            .cloned()
            .map(SourcingCriterion)
    }
}

/// One option's standing.
#[derive(SimpleObject)]
pub struct OptionStanding {
    option: SourcingOption,
    /// Weighted score 0–100, the mean over kommuner that scored it on every criterion.
    weighted_score: Option<Decimal>,
    /// 1 for the best; tied options share a rank.
    rank: Option<i32>,
    /// Options with exactly the same score.
    tied_with: Vec<SourcingOption>,
    /// Total cost of ownership over the contract years, SEK.
    total_cost_of_ownership: Decimal,
    /// How many kommuner's complete scores the mean is over.
    scored_by: i32,
}

/// A score not yet given.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct MissingScore {
    #[graphql(skip)]
    kommun: i32,
    option: Option<SourcingOption>,
    criterion: Option<SourcingCriterion>,
}

#[ComplexObject]
impl MissingScore {
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.kommun)
    }
}

/// A risk found by rule, with a machine-readable code and a sentence.
#[derive(SimpleObject)]
pub struct RiskFlag {
    code: RiskCode,
    option: Option<SourcingOption>,
    /// Choosing this option needs a justification.
    blocking: bool,
    message: String,
}

/// A ±10-point weight change that would change the winner.
#[derive(SimpleObject)]
pub struct WeightFlip {
    criterion: Option<SourcingCriterion>,
    /// +10 or −10.
    change: i32,
    /// The new winner; null when it becomes a tie.
    new_winner: Option<SourcingOption>,
}

#[Object]
impl SourcingResultView {
    /// Options best first.
    async fn ranking(&self) -> Vec<OptionStanding> {
        self.r
            .options
            .iter()
            .filter_map(|o| {
                Some(OptionStanding {
                    option: self.option(o.option)?,
                    weighted_score: o.score.map(ratio_to_decimal),
                    rank: o.rank.map(|r| r as i32),
                    tied_with: o.tied_with.iter().filter_map(|t| self.option(*t)).collect(),
                    total_cost_of_ownership: o.tco.to_decimal().into(),
                    scored_by: o.scored_by as i32,
                })
            })
            .collect()
    }
    /// The single best option; null while nothing is scored or the top is tied.
    async fn winner(&self) -> Option<SourcingOption> {
        self.r.winner.and_then(|w| self.option(w))
    }
    /// True when the top options are tied.
    async fn tied(&self) -> bool {
        self.r.winner.is_none() && self.r.options.first().is_some_and(|o| !o.tied_with.is_empty())
    }
    /// Whether every scoring kommun has scored every option on every criterion.
    async fn complete(&self) -> bool {
        self.r.missing.is_empty()
    }
    /// The scores still missing, per kommun.
    async fn missing(&self) -> Vec<MissingScore> {
        self.r
            .missing
            .iter()
            .map(|m| MissingScore {
                kommun: m.kommun,
                option: self.option(m.option),
                criterion: self.criterion(m.criterion),
            })
            .collect()
    }
    async fn risk_flags(&self) -> Vec<RiskFlag> {
        self.r
            .flags
            .iter()
            .map(|f| RiskFlag {
                code: f.code,
                option: self.option(f.option),
                blocking: f.blocking,
                message: f.message.clone(),
            })
            .collect()
    }
    /// True when no single criterion's weight moved by ±10 points (the others renormalised)
    /// would change the winner; null without a single winner.
    async fn robust(&self) -> Option<bool> {
        self.r.winner.map(|_| self.r.flips.is_empty())
    }
    /// The weight changes that would change the winner.
    async fn flips(&self) -> Vec<WeightFlip> {
        self.r
            .flips
            .iter()
            .map(|f| WeightFlip {
                criterion: self.criterion(f.criterion),
                change: f.delta,
                new_winner: f.winner.and_then(|w| self.option(w)),
            })
            .collect()
    }
}
