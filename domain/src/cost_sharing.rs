//! Kostnadsfördelning: splitting a project's budget between its paying kommuner.
//!
//! Shares are computed exactly in öre with the largest-remainder method, so they always sum
//! to the budget; ties in the remainder go to the lower kommunkod, so the split is stable.
use super::Sek;
use super::project::text_enum;

text_enum!(
    /// The agreed cost-sharing key.
    CostKey {
        /// Equal parts.
        Equal = "EQUAL",
        /// In proportion to population.
        PerCapita = "PER_CAPITA",
        /// A stated percentage split equally, the rest per capita.
        Mixed = "MIXED",
        /// Explicit percentages per kommun.
        Custom = "CUSTOM",
    }
);

impl CostKey {
    /// Whether the key weighs kommuner by population (PER_CAPITA, MIXED).
    pub fn uses_population(self) -> bool {
        matches!(self, CostKey::PerCapita | CostKey::Mixed)
    }
}

/// One paying kommun as the computation needs it.
#[derive(Clone, Debug)]
pub struct Member {
    /// The kommun's row id.
    pub municipality_id: i32,
    /// The kommunkod, the tie-breaker when öre are left over.
    pub code: String,
    /// Inhabitants, for the POPULATION and MIXED keys.
    pub population: i64,
    /// The CUSTOM percentage in basis points (10 000 = 100 %).
    pub custom_bp: Option<BasisPoints>,
}

/// One kommun's share: its weight as a fraction `numerator / denominator` and its amount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Share {
    /// The kommun's row id.
    pub municipality_id: i32,
    /// The weight's numerator.
    pub numerator: i128,
    /// The weight's denominator (positive).
    pub denominator: i128,
    /// What the kommun pays; the amounts sum exactly to the budget.
    pub amount: Sek,
}

/// 100 % in basis points (hundredths of a percent), the unit of every share percentage.
pub const WHOLE_BP: i32 = 10_000;

bounded_int!(
    /// A percentage in basis points (hundredths of a percent) as a client may set one: 0 to
    /// 100 %.
    BasisPoints,
    0..=10_000,
    "must be between 0 and 100"
);

/// The CUSTOM percentages of the paying members, summed (a member without one counts 0).
pub fn custom_total(paying: impl IntoIterator<Item = Option<BasisPoints>>) -> i64 {
    paying.into_iter().map(|bp| bp.map_or(0, i64::from)).sum()
}

/// Whether a key splits the whole budget: every key does but CUSTOM, whose paying members'
/// percentages must sum to exactly 100 % (before the project leaves PLANNING).
pub fn split_complete(key: CostKey, custom_total_bp: i64) -> bool {
    key != CostKey::Custom || custom_total_bp == WHOLE_BP as i64
}

/// Splits `budget` between `members` under `key`. `mixed_equal_bp` is the equally split part
/// of a MIXED key, in basis points.
///
/// When every weight is zero (a CUSTOM key with no percentages yet) every amount is zero.
pub fn compute_shares(
    budget: Sek,
    key: CostKey,
    mixed_equal_bp: BasisPoints,
    members: &[Member],
) -> Vec<Share> {
    let n = members.len() as i128;
    if n == 0 {
        return Vec::new();
    }
    let total_pop: i128 = members.iter().map(|m| m.population.max(0) as i128).sum();
    let p = mixed_equal_bp.get() as i128;
    let weights: Vec<i128> = members
        .iter()
        .map(|m| {
            let pop = m.population.max(0) as i128;
            match key {
                CostKey::Equal => 1,
                CostKey::PerCapita if total_pop == 0 => 1,
                CostKey::PerCapita => pop,
                // p/10000 · 1/n + (10000−p)/10000 · pop/P, over the denominator 10000·n·P.
                CostKey::Mixed if total_pop == 0 => 1,
                CostKey::Mixed => p * total_pop + (WHOLE_BP as i128 - p) * n * pop,
                CostKey::Custom => m.custom_bp.map_or(0, |bp| bp.get() as i128),
            }
        })
        .collect();
    let total: i128 = weights.iter().sum();
    let budget_ore = budget.ore() as i128;
    if total == 0 {
        return members
            .iter()
            .map(|m| Share {
                municipality_id: m.municipality_id,
                numerator: 0,
                denominator: 1,
                amount: Sek::from_ore(0),
            })
            .collect();
    }
    let mut floors: Vec<i128> = weights.iter().map(|w| budget_ore * w / total).collect();
    let assigned: i128 = floors.iter().sum();
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = budget_ore * weights[a] % total;
        let rb = budget_ore * weights[b] % total;
        rb.cmp(&ra).then_with(|| members[a].code.cmp(&members[b].code))
    });
    for &i in order.iter().take((budget_ore - assigned) as usize) {
        floors[i] += 1;
    }
    members
        .iter()
        .zip(weights)
        .zip(floors)
        .map(|((m, w), amount)| Share {
            municipality_id: m.municipality_id,
            numerator: w,
            denominator: total,
            amount: Sek::from_ore(amount as i64),
        })
        .collect()
}

impl Share {
    /// The share in percent: the exact fraction rounded half-up to 4 decimals (the amount in
    /// öre is authoritative; this is for people to read).
    pub fn percent(&self) -> rust_decimal::Decimal {
        if self.denominator == 0 {
            return rust_decimal::Decimal::ZERO;
        }
        let scaled = num_rational::Ratio::new(self.numerator * 1_000_000, self.denominator);
        // `Ratio::round` rounds halves away from zero: half-up for these non-negative weights.
        rust_decimal::Decimal::from_i128_with_scale(scaled.round().to_integer(), 4).normalize()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn percentages_run_from_0_to_100_and_only_custom_can_be_incomplete() {
        let bp = |v| BasisPoints::new(v).map(BasisPoints::get);
        assert_eq!((bp(0), bp(10_000)), (Ok(0), Ok(WHOLE_BP)));
        assert!(bp(-1).is_err() && bp(10_001).is_err());
        assert!(bp(i64::from(i32::MAX) + 1).is_err());
        assert_eq!(BasisPoints::MAX.get(), WHOLE_BP);
        assert_eq!(custom_total([Some(pts(2_500)), None, Some(pts(7_500))]), 10_000);
        assert!(split_complete(CostKey::Custom, 10_000));
        assert!(!split_complete(CostKey::Custom, 9_999));
        assert!(split_complete(CostKey::Equal, 0));
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn percentages_round_half_up_to_four_decimals() {
        let share = |n, d| Share {
            municipality_id: 1,
            numerator: n,
            denominator: d,
            amount: Sek::from_ore(0),
        };
        // 2/3 = 66.666666…% → 66.6667 (truncation gave 66.6666).
        assert_eq!(share(2, 3).percent().to_string(), "66.6667");
        // 1/32 = 3.125% exactly.
        assert_eq!(share(1, 32).percent().to_string(), "3.125");
        // 0.00005% is exactly half of the last place: half-up gives 0.0001.
        assert_eq!(share(1, 2_000_000).percent().to_string(), "0.0001");
        assert_eq!(share(0, 0).percent().to_string(), "0");
    }

    fn member(id: i32, pop: i64, bp: Option<i64>) -> Member {
        Member {
            municipality_id: id,
            code: format!("18{id:02}"),
            population: pop,
            custom_bp: bp.map(pts),
        }
    }

    fn pts(v: impl Into<i64>) -> BasisPoints {
        BasisPoints::new(v.into()).unwrap()
    }

    #[test]
    fn equal_split_gives_the_extra_ore_to_the_lowest_codes() {
        let m = [member(3, 1, None), member(1, 1, None), member(2, 1, None)];
        let s = compute_shares(Sek::from_ore(100), CostKey::Equal, BasisPoints::MIN, &m);
        let amounts: Vec<i64> = s.iter().map(|s| s.amount.ore()).collect();
        assert_eq!(amounts, vec![33, 34, 33]);
    }

    #[test]
    fn per_capita_follows_population() {
        let m = [member(1, 159_348, None), member(2, 8_606, None)];
        let s = compute_shares(
            Sek::from_ore(100_000_000),
            CostKey::PerCapita,
            BasisPoints::MIN,
            &m,
        );
        // 100 000 000 öre · 159348 / 167954 = 94 875 977.95 and · 8606 / 167954 = 5 124 022.05:
        // the one öre left over goes to the larger remainder.
        assert_eq!(s[0].amount.ore(), 94_875_978);
        assert_eq!(s[1].amount.ore(), 5_124_022);
    }

    #[test]
    fn mixed_key_splits_the_stated_part_equally() {
        // 50 % equal, 50 % per capita between populations 3 and 1 of 1 000 öre:
        // equal part 250 each, per-capita part 375 and 125.
        let m = [member(1, 3, None), member(2, 1, None)];
        let s = compute_shares(Sek::from_ore(1_000), CostKey::Mixed, pts(5_000), &m);
        assert_eq!((s[0].amount.ore(), s[1].amount.ore()), (625, 375));
    }

    #[test]
    fn custom_key_uses_the_percentages() {
        let m = [member(1, 0, Some(7_000)), member(2, 0, Some(3_000))];
        let s = compute_shares(Sek::from_ore(999), CostKey::Custom, BasisPoints::MIN, &m);
        assert_eq!((s[0].amount.ore(), s[1].amount.ore()), (699, 300));
        let none = compute_shares(
            Sek::from_ore(999),
            CostKey::Custom,
            BasisPoints::MIN,
            &[member(1, 0, None)],
        );
        assert_eq!(none[0].amount.ore(), 0);
    }

    proptest! {
        #[test]
        fn shares_always_sum_to_the_budget(
            budget in 0i64..=10_000_000_000_000,
            pops in proptest::collection::vec(0i64..2_000_000, 1..12),
            key in 0usize..4,
            p in 0i32..=10_000,
        ) {
            let key = CostKey::ALL[key];
            let members: Vec<Member> = pops.iter().enumerate()
                .map(|(i, pop)| member(i as i32, *pop, Some(1 + *pop % 1000)))
                .collect();
            let shares = compute_shares(Sek::from_ore(budget), key, pts(p), &members);
            let sum: i64 = shares.iter().map(|s| s.amount.ore()).sum();
            prop_assert_eq!(sum, budget);
            for s in &shares {
                prop_assert!(s.amount.ore() >= 0);
                // Every share is within one öre of its exact value.
                let exact = budget as i128 * s.numerator;
                let got = s.amount.ore() as i128 * s.denominator;
                prop_assert!((exact - got).abs() < s.denominator);
            }
        }
    }
}
