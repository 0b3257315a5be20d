//! Sourcingutvärdering: the scored, explainable choice between running something in-house,
//! together in the county, outsourced or in the cloud.
//!
//! Everything here is exact: scores are rationals, costs whole öre, so ties are real ties
//! and the robustness answer does not depend on rounding.
use num_rational::Ratio;

use super::Sek;
use super::project::text_enum;

type Q = Ratio<i128>;

text_enum!(
    /// Where an evaluation stands.
    SourcingState {
        /// Utkast: options and criteria are being set up.
        Draft = "DRAFT",
        /// Poängsättning: the kommuner score.
        Scoring = "SCORING",
        /// Beslutad.
        Decided = "DECIDED",
        /// Avbruten.
        Cancelled = "CANCELLED",
    }
);

impl SourcingState {
    /// The states this one may become: scoring starts from a draft, a decision ends scoring,
    /// and an undecided evaluation may be cancelled.
    pub fn next_states(self) -> Vec<SourcingState> {
        use SourcingState::*;
        match self {
            Draft => vec![Scoring, Cancelled],
            Scoring => vec![Decided, Cancelled],
            Decided | Cancelled => vec![],
        }
    }

    /// The state and where it may go, for messages refusing a change.
    pub fn with_next(self) -> String {
        super::project::state_and_next(self, &self.next_states(), Self::as_str)
    }
}

text_enum!(
    /// How a service would be run.
    OptionKind {
        /// Egen drift.
        InHouse = "IN_HOUSE",
        /// Gemensam drift i länet.
        SharedCounty = "SHARED_COUNTY",
        /// Outsourcing.
        Outsourced = "OUTSOURCED",
        /// Molntjänst som programvara (SaaS).
        CloudSaas = "CLOUD_SAAS",
        /// Molninfrastruktur (IaaS).
        CloudIaas = "CLOUD_IAAS",
    }
);

impl OptionKind {
    /// Cloud options need an exit plan.
    pub fn is_cloud(self) -> bool {
        matches!(self, OptionKind::CloudSaas | OptionKind::CloudIaas)
    }
}

text_enum!(
    /// Where the data is stored and processed.
    DataLocation {
        /// Sverige.
        Sweden = "SWEDEN",
        /// Inom EU/EES.
        EuEea = "EU_EEA",
        /// Tredje land: outside the EU/EEA.
        ThirdCountry = "THIRD_COUNTRY",
    }
);

text_enum!(
    /// The rule a risk flag comes from.
    RiskCode {
        /// Data in a third country while confidentiality is 2 or higher (GDPR ch. V, OSL).
        ThirdCountryTransfer = "THIRD_COUNTRY_TRANSFER",
        /// A cloud option with no exit plan (lock-in).
        NoExitPlan = "NO_EXIT_PLAN",
        /// Information class 4 handled by anyone but the kommun itself.
        Class4NotInHouse = "CLASS_4_NOT_IN_HOUSE",
        /// Total cost of ownership more than three times the cheapest option's.
        CostOutlier = "COST_OUTLIER",
    }
);

bounded_int!(
    /// A KLASSA level: 0 (none) to 4 (very high), for confidentiality, integrity and
    /// availability alike.
    KlassaLevel,
    0..=4,
    "KLASSA levels run from 0 to 4"
);

bounded_int!(
    /// A score as a scoring kommun gives it: 0 to 5.
    Score,
    0..=5,
    "scores run from 0 to 5"
);

bounded_int!(
    /// A criterion's weight: a whole number from 0 to 100 (the weights of an evaluation must
    /// sum to 100 before scoring starts).
    Weight,
    0..=100,
    "weights are whole numbers from 0 to 100"
);

/// KLASSA levels of the information involved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InfoClass {
    /// Konfidentialitet.
    pub confidentiality: KlassaLevel,
    /// Riktighet.
    pub integrity: KlassaLevel,
    /// Tillgänglighet.
    pub availability: KlassaLevel,
}

impl InfoClass {
    /// The highest of the three levels.
    pub fn max(self) -> KlassaLevel {
        self.confidentiality.max(self.integrity).max(self.availability)
    }
}

/// An option as the computation needs it.
#[derive(Clone, Debug)]
pub struct OptionIn {
    /// The option's row id.
    pub id: i64,
    /// In-house, shared, outsourced or cloud.
    pub kind: OptionKind,
    /// Cost once, at the start.
    pub one_off: Sek,
    /// Cost per year.
    pub annual: Sek,
    /// Years the annual cost is paid.
    pub contract_years: u32,
    /// Where the data would be kept.
    pub location: DataLocation,
    /// How the kommun would leave; empty when there is no plan.
    pub exit_plan: String,
}

impl OptionIn {
    /// Total cost of ownership: one-off cost plus the annual cost over the contract years.
    pub fn tco(&self) -> Sek {
        Sek::from_ore(
            self.one_off
                .ore()
                .saturating_add(self.annual.ore().saturating_mul(self.contract_years as i64)),
        )
    }
}

/// A criterion and its weight (whole percent; all weights sum to 100 when scoring).
#[derive(Clone, Copy, Debug)]
pub struct CriterionIn {
    /// The criterion's row id.
    pub id: i64,
    /// Whole percent.
    pub weight: i32,
}

/// One kommun's score (0–5) of one option on one criterion.
#[derive(Clone, Copy, Debug)]
pub struct ScoreIn {
    /// The option scored.
    pub option: i64,
    /// The criterion scored on.
    pub criterion: i64,
    /// The scoring kommun's row id.
    pub kommun: i32,
    /// 0–5.
    pub score: u8,
}

/// The computed standing of one option.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionResult {
    /// The option's row id.
    pub option: i64,
    /// Weighted score 0–100, the mean over kommuner that scored every criterion of it.
    pub score: Option<Q>,
    /// 1 for the best; tied options share a rank.
    pub rank: Option<usize>,
    /// Other options with exactly the same score.
    pub tied_with: Vec<i64>,
    /// Total cost of ownership over the contract.
    pub tco: Sek,
    /// How many kommuner's complete scores the mean is over.
    pub scored_by: usize,
}

/// A score a kommun has not given yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Missing {
    /// The kommun that owes the score.
    pub kommun: i32,
    /// The option it has not scored.
    pub option: i64,
    /// The criterion it has not scored.
    pub criterion: i64,
}

/// A risk found by rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiskFlag {
    /// Which rule found it.
    pub code: RiskCode,
    /// The option it concerns.
    pub option: i64,
    /// Choosing this option needs an explicit justification.
    pub blocking: bool,
    /// What the rule found, in words.
    pub message: String,
}

/// A weight change that would change the winner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flip {
    /// The criterion whose weight changes.
    pub criterion: i64,
    /// +10 or −10 points, the other weights renormalised to keep the sum at 100.
    pub delta: i32,
    /// The new winner, or `None` when it becomes a tie.
    pub winner: Option<i64>,
}

/// The whole result of an evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct SourcingResult {
    /// Best first; unscored options last.
    pub options: Vec<OptionResult>,
    /// The unique best option, if there is one.
    pub winner: Option<i64>,
    /// Scores still owed by the co-evaluating kommuner.
    pub missing: Vec<Missing>,
    /// Risks found by the rules.
    pub flags: Vec<RiskFlag>,
    /// Weight changes of ±10 points that would change the winner; empty when robust.
    pub flips: Vec<Flip>,
}

/// Scores of each option per criterion: the mean over its complete kommuner, as a fraction
/// of the top score (0–1).
fn criterion_means(
    options: &[OptionIn],
    criteria: &[CriterionIn],
    kommuner: &[i32],
    scores: &[ScoreIn],
) -> Vec<(Option<Vec<Q>>, usize)> {
    options
        .iter()
        .map(|o| {
            let complete: Vec<i32> = kommuner
                .iter()
                .copied()
                .filter(|k| {
                    criteria.iter().all(|c| {
                        scores
                            .iter()
                            .any(|s| s.option == o.id && s.criterion == c.id && s.kommun == *k)
                    })
                })
                .collect();
            if complete.is_empty() {
                return (None, 0);
            }
            let n = complete.len() as i128;
            let means = criteria
                .iter()
                .map(|c| {
                    let sum: i128 = scores
                        .iter()
                        .filter(|s| s.option == o.id && s.criterion == c.id && complete.contains(&s.kommun))
                        .map(|s| s.score as i128)
                        .sum();
                    Q::new(sum, 5 * n)
                })
                .collect();
            (Some(means), complete.len())
        })
        .collect()
}

fn weighted(means: &[Q], weights: &[Q]) -> Q {
    means
        .iter()
        .zip(weights)
        .map(|(m, w)| m * w)
        .fold(Q::from_integer(0), |a, b| a + b)
}

/// The unique best option under `weights`, or `None` on a tie or with nothing scored.
fn winner(options: &[OptionIn], means: &[(Option<Vec<Q>>, usize)], weights: &[Q]) -> Option<i64> {
    let scored: Vec<(i64, Q)> = options
        .iter()
        .zip(means)
        .filter_map(|(o, (m, _))| m.as_ref().map(|m| (o.id, weighted(m, weights))))
        .collect();
    let best = scored.iter().map(|(_, s)| *s).max()?;
    let top: Vec<i64> = scored
        .iter()
        .filter(|(_, s)| *s == best)
        .map(|(id, _)| *id)
        .collect();
    (top.len() == 1).then(|| top[0])
}

fn sek_text(s: Sek) -> String {
    format!("{} kr", s.to_decimal().round_dp(0))
}

/// The risk rules of docs/domain.md, each with a code and a sentence.
pub fn risk_flags(info: InfoClass, options: &[OptionIn]) -> Vec<RiskFlag> {
    let mut flags = Vec::new();
    let cheapest = options.iter().map(|o| o.tco()).min();
    for o in options {
        if o.location == DataLocation::ThirdCountry && info.confidentiality.get() >= 2 {
            flags.push(RiskFlag {
                code: RiskCode::ThirdCountryTransfer,
                option: o.id,
                blocking: true,
                message: format!(
                    "Data would be stored outside the EU/EEA while its confidentiality is {}: a third-country transfer needs a legal basis (GDPR chapter V) and an OSL assessment.",
                    info.confidentiality
                ),
            });
        }
        if o.kind.is_cloud() && o.exit_plan.trim().is_empty() {
            flags.push(RiskFlag {
                code: RiskCode::NoExitPlan,
                option: o.id,
                blocking: true,
                message: "This cloud option has no exit plan: describe how data and service are taken back before choosing it.".into(),
            });
        }
        if info.max() == KlassaLevel::MAX && o.kind != OptionKind::InHouse {
            flags.push(RiskFlag {
                code: RiskCode::Class4NotInHouse,
                option: o.id,
                blocking: true,
                message: "The information is classed at level 4, which should not be handled outside the kommun's own operation.".into(),
            });
        }
        if let Some(min) = cheapest
            && min.ore() > 0
            && o.tco().ore() as i128 > 3 * min.ore() as i128
        {
            flags.push(RiskFlag {
                code: RiskCode::CostOutlier,
                option: o.id,
                blocking: false,
                message: format!(
                    "Total cost of ownership {} is more than three times the cheapest option's {}.",
                    sek_text(o.tco()),
                    sek_text(min)
                ),
            });
        }
    }
    flags
}

/// Computes scores, ranking, completeness, risk flags and robustness.
pub fn evaluate(
    info: InfoClass,
    options: &[OptionIn],
    criteria: &[CriterionIn],
    kommuner: &[i32],
    scores: &[ScoreIn],
) -> SourcingResult {
    let means = criterion_means(options, criteria, kommuner, scores);
    let weights: Vec<Q> = criteria
        .iter()
        .map(|c| Q::from_integer(c.weight as i128))
        .collect();
    let mut results: Vec<OptionResult> = options
        .iter()
        .zip(&means)
        .map(|(o, (m, n))| OptionResult {
            option: o.id,
            score: m.as_ref().map(|m| weighted(m, &weights)),
            rank: None,
            tied_with: Vec::new(),
            tco: o.tco(),
            scored_by: *n,
        })
        .collect();
    let snapshot: Vec<(i64, Option<Q>)> = results.iter().map(|r| (r.option, r.score)).collect();
    for r in &mut results {
        if let Some(s) = r.score {
            r.rank = Some(1 + snapshot.iter().filter(|(_, o)| o.is_some_and(|o| o > s)).count());
            r.tied_with = snapshot
                .iter()
                .filter(|(id, o)| *id != r.option && *o == Some(s))
                .map(|(id, _)| *id)
                .collect();
        }
    }
    results.sort_by(|a, b| match (a.rank, b.rank) {
        (Some(x), Some(y)) => x.cmp(&y).then(a.option.cmp(&b.option)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.option.cmp(&b.option),
    });

    let mut missing = Vec::new();
    for k in kommuner {
        for o in options {
            for c in criteria {
                if !scores
                    .iter()
                    .any(|s| s.kommun == *k && s.option == o.id && s.criterion == c.id)
                {
                    missing.push(Missing {
                        kommun: *k,
                        option: o.id,
                        criterion: c.id,
                    });
                }
            }
        }
    }

    let best = winner(options, &means, &weights);
    let mut flips = Vec::new();
    if best.is_some() {
        let hundred = Q::from_integer(100);
        for (i, c) in criteria.iter().enumerate() {
            for delta in [10, -10] {
                let new_w = (c.weight + delta).clamp(0, 100);
                let rest = 100 - c.weight;
                if new_w == c.weight || rest == 0 {
                    continue;
                }
                let scale = (hundred - Q::from_integer(new_w as i128)) / Q::from_integer(rest as i128);
                let moved: Vec<Q> = weights
                    .iter()
                    .enumerate()
                    .map(|(j, w)| {
                        if j == i {
                            Q::from_integer(new_w as i128)
                        } else {
                            w * scale
                        }
                    })
                    .collect();
                let w = winner(options, &means, &moved);
                if w != best {
                    flips.push(Flip {
                        criterion: c.id,
                        delta,
                        winner: w,
                    });
                }
            }
        }
    }
    SourcingResult {
        options: results,
        winner: best,
        missing,
        flags: risk_flags(info, options),
        flips,
    }
}

/// The standard criteria offered on creation, with weights that sum to 100.
pub const STANDARD_CRITERIA: &[(&str, &str, Weight)] = &[
    ("TOTAL_COST", "Total kostnad", Weight::of(25)),
    ("INFORMATION_SECURITY", "Informationssäkerhet", Weight::of(20)),
    (
        "LEGAL",
        "Juridik: GDPR, tredjelandsöverföring, OSL 10 kap. 2 a §",
        Weight::of(20),
    ),
    ("EXIT_AND_LOCK_IN", "Exit och inlåsning", Weight::of(15)),
    ("COMPETENCE_SUPPLY", "Kompetensförsörjning", Weight::of(10)),
    ("CITIZEN_BENEFIT", "Nytta för invånarna", Weight::of(10)),
];

#[cfg(test)]
mod tests {
    #[test]
    fn scores_weights_and_klassa_levels_are_checked_at_their_edges() {
        let edges = |new: fn(i64) -> Result<i32, &'static str>, min: i64, max: i64| {
            assert_eq!((new(min), new(max)), (Ok(min as i32), Ok(max as i32)));
            assert!(new(min - 1).is_err() && new(max + 1).is_err());
            assert!(new(i64::from(i32::MAX) + 1 + min).is_err());
        };
        edges(|v| Score::new(v).map(Score::get), 0, 5);
        edges(|v| Weight::new(v).map(Weight::get), 0, 100);
        edges(|v| KlassaLevel::new(v).map(KlassaLevel::get), 0, 4);
        assert_eq!(
            (Score::MIN.get(), Weight::MAX.get(), KlassaLevel::MAX.get()),
            (0, 100, 4)
        );
    }

    use super::*;

    fn option(
        id: i64,
        kind: OptionKind,
        one_off: i64,
        annual: i64,
        years: u32,
        location: DataLocation,
        exit: &str,
    ) -> OptionIn {
        OptionIn {
            id,
            kind,
            one_off: Sek::from_ore(one_off * 100),
            annual: Sek::from_ore(annual * 100),
            contract_years: years,
            location,
            exit_plan: exit.into(),
        }
    }

    fn s(option: i64, criterion: i64, kommun: i32, score: u8) -> ScoreIn {
        ScoreIn {
            option,
            criterion,
            kommun,
            score,
        }
    }

    fn q(n: i128, d: i128) -> Option<Q> {
        Some(Q::new(n, d))
    }

    #[test]
    fn weighted_scores_are_means_over_kommuner_on_a_0_to_100_scale() {
        // Criteria 60/40. Option 1: kommun A scores 5,0 and B 3,4 → A 60, B 36+32=68 → 64.
        // Option 2: A 2,5 → 24+40 = 64; B has not scored it, so only A counts.
        let opts = [
            option(1, OptionKind::InHouse, 0, 0, 1, DataLocation::Sweden, ""),
            option(2, OptionKind::SharedCounty, 0, 0, 1, DataLocation::Sweden, ""),
        ];
        let crit = [
            CriterionIn { id: 10, weight: 60 },
            CriterionIn { id: 11, weight: 40 },
        ];
        let scores = [
            s(1, 10, 1, 5),
            s(1, 11, 1, 0),
            s(1, 10, 2, 3),
            s(1, 11, 2, 4),
            s(2, 10, 1, 2),
            s(2, 11, 1, 5),
            s(2, 10, 2, 1),
        ];
        let r = evaluate(InfoClass::default(), &opts, &crit, &[1, 2], &scores);
        assert_eq!(r.options[0].score, q(64, 1));
        assert_eq!(r.options[1].score, q(64, 1));
        // A tie is stated, and there is no single winner.
        assert_eq!((r.options[0].rank, r.options[1].rank), (Some(1), Some(1)));
        assert_eq!(r.options[0].tied_with, vec![2]);
        assert_eq!(r.winner, None);
        assert_eq!(r.options[1].scored_by, 1);
        assert_eq!(
            r.missing,
            vec![Missing {
                kommun: 2,
                option: 2,
                criterion: 11
            }]
        );
    }

    #[test]
    fn an_option_nobody_has_scored_fully_has_no_score_and_ranks_last() {
        let opts = [
            option(1, OptionKind::InHouse, 0, 0, 1, DataLocation::Sweden, ""),
            option(2, OptionKind::Outsourced, 0, 0, 1, DataLocation::Sweden, ""),
        ];
        let crit = [CriterionIn { id: 10, weight: 100 }];
        let r = evaluate(InfoClass::default(), &opts, &crit, &[1], &[s(2, 10, 1, 1)]);
        assert_eq!(r.options[0].option, 2);
        assert_eq!(r.options[0].score, q(20, 1));
        assert_eq!(r.options[1].score, None);
        assert_eq!(r.winner, Some(2));
    }

    #[test]
    fn the_robustness_answer_names_the_criterion_that_would_flip_the_winner() {
        // Cost 50 / security 50. In-house: 2 on cost, 5 on security → 20+50 = 70.
        // Cloud: 5 on cost, 2 on security → 50+20 = 70 … make in-house win narrowly:
        // in-house cost 3 → 30+50 = 80; cloud cost 5, security 3 → 50+30 = 80 is a tie, so
        // give cloud security 2 → 70. In-house wins 80 to 70.
        // Cost +10 (60/40): in-house 36+40 = 76, cloud 60+16 = 76 → tie: a flip.
        // Security +10 (40/60): in-house 24+60 = 84, cloud 40+24 = 64: no flip.
        let opts = [
            option(1, OptionKind::InHouse, 0, 0, 1, DataLocation::Sweden, ""),
            option(2, OptionKind::CloudSaas, 0, 0, 1, DataLocation::Sweden, "exit"),
        ];
        let crit = [
            CriterionIn { id: 10, weight: 50 },
            CriterionIn { id: 11, weight: 50 },
        ];
        let scores = [s(1, 10, 1, 3), s(1, 11, 1, 5), s(2, 10, 1, 5), s(2, 11, 1, 2)];
        let r = evaluate(InfoClass::default(), &opts, &crit, &[1], &scores);
        assert_eq!(r.winner, Some(1));
        assert_eq!(r.options[0].score, q(80, 1));
        assert_eq!(
            r.flips,
            vec![
                Flip {
                    criterion: 10,
                    delta: 10,
                    winner: None
                },
                Flip {
                    criterion: 11,
                    delta: -10,
                    winner: None
                }
            ]
        );
        // With a wider margin nothing flips.
        let scores = [s(1, 10, 1, 4), s(1, 11, 1, 5), s(2, 10, 1, 5), s(2, 11, 1, 2)];
        assert!(
            evaluate(InfoClass::default(), &opts, &crit, &[1], &scores)
                .flips
                .is_empty()
        );
    }

    #[test]
    fn renormalisation_keeps_the_other_weights_in_proportion() {
        // Weights 20/30/50; cost +10 → 30, the others share 70 in proportion 3:5.
        // Option 1 is strong on criterion 12 only, option 2 on criterion 10 only.
        // Base: o1 = 50·1 = 50, o2 = 20·1 + 30·0.6 = 38. After +10 on 10: o1 = 43.75,
        // o2 = 30 + 26.25·0.6 = 45.75 → option 2 wins.
        let opts = [
            option(1, OptionKind::InHouse, 0, 0, 1, DataLocation::Sweden, ""),
            option(2, OptionKind::SharedCounty, 0, 0, 1, DataLocation::Sweden, ""),
        ];
        let crit = [
            CriterionIn { id: 10, weight: 20 },
            CriterionIn { id: 11, weight: 30 },
            CriterionIn { id: 12, weight: 50 },
        ];
        let scores = [
            s(1, 10, 1, 0),
            s(1, 11, 1, 0),
            s(1, 12, 1, 5),
            s(2, 10, 1, 5),
            s(2, 11, 1, 3),
            s(2, 12, 1, 0),
        ];
        let r = evaluate(InfoClass::default(), &opts, &crit, &[1], &scores);
        assert_eq!(r.winner, Some(1));
        assert!(
            r.flips.contains(&Flip {
                criterion: 10,
                delta: 10,
                winner: Some(2)
            }),
            "{:?}",
            r.flips
        );
    }

    #[test]
    fn total_cost_of_ownership_covers_the_contract_years() {
        let o = option(
            1,
            OptionKind::Outsourced,
            100_000,
            250_000,
            4,
            DataLocation::Sweden,
            "",
        );
        assert_eq!(o.tco(), Sek::from_ore(1_100_000 * 100));
    }

    #[test]
    fn each_risk_rule_fires_and_stays_quiet_as_it_should() {
        let codes = |info: InfoClass, o: OptionIn| -> Vec<RiskCode> {
            risk_flags(info, &[o]).into_iter().map(|f| f.code).collect()
        };
        let level = |v| KlassaLevel::new(v).unwrap();
        let c = |v: i64| InfoClass {
            confidentiality: level(v),
            ..InfoClass::default()
        };
        assert_eq!(
            codes(
                c(2),
                option(1, OptionKind::InHouse, 1, 0, 1, DataLocation::ThirdCountry, "")
            ),
            vec![RiskCode::ThirdCountryTransfer]
        );
        assert!(
            codes(
                c(1),
                option(1, OptionKind::InHouse, 1, 0, 1, DataLocation::ThirdCountry, "")
            )
            .is_empty()
        );
        assert!(
            codes(
                c(3),
                option(1, OptionKind::InHouse, 1, 0, 1, DataLocation::EuEea, "")
            )
            .is_empty()
        );
        assert_eq!(
            codes(
                c(0),
                option(1, OptionKind::CloudIaas, 1, 0, 1, DataLocation::Sweden, "  ")
            ),
            vec![RiskCode::NoExitPlan]
        );
        assert!(
            codes(
                c(0),
                option(
                    1,
                    OptionKind::CloudSaas,
                    1,
                    0,
                    1,
                    DataLocation::Sweden,
                    "Export till CSV"
                )
            )
            .is_empty()
        );
        assert!(
            codes(
                c(0),
                option(1, OptionKind::Outsourced, 1, 0, 1, DataLocation::Sweden, "")
            )
            .is_empty()
        );
        let class4 = InfoClass {
            confidentiality: level(1),
            integrity: level(4),
            availability: level(0),
        };
        assert_eq!(
            codes(
                class4,
                option(1, OptionKind::SharedCounty, 1, 0, 1, DataLocation::Sweden, "")
            ),
            vec![RiskCode::Class4NotInHouse]
        );
        assert!(
            codes(
                class4,
                option(1, OptionKind::InHouse, 1, 0, 1, DataLocation::Sweden, "")
            )
            .is_empty()
        );

        let cheap = option(1, OptionKind::InHouse, 100, 0, 1, DataLocation::Sweden, "");
        let at_three = option(2, OptionKind::InHouse, 300, 0, 1, DataLocation::Sweden, "");
        let over = option(3, OptionKind::InHouse, 301, 0, 1, DataLocation::Sweden, "");
        let flags = risk_flags(InfoClass::default(), &[cheap, at_three, over]);
        assert_eq!(flags.len(), 1);
        assert_eq!(
            (flags[0].code, flags[0].option, flags[0].blocking),
            (RiskCode::CostOutlier, 3, false)
        );
    }
}
