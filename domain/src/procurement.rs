//! Joint procurement windows: kommuner whose contracts for the same product (or the same
//! kind of product) end close together can procure together, or press the vendor together.
use chrono::{Months, NaiveDate};

/// The longest span, in months, from the first to the last contract end of one window: a year
/// is about what one joint procurement can wait for or bring forward.
pub const WINDOW_MONTHS: u32 = 12;

/// One contract as the computation needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contract {
    /// The system instance.
    pub instance: i64,
    /// The kommun that holds it.
    pub kommun: i32,
    /// When it ends.
    pub ends: NaiveDate,
}

/// Contracts whose ends fall within [`WINDOW_MONTHS`] of the first, held by at least the
/// asked number of kommuner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    /// The earliest end: the window starts here.
    pub starts: NaiveDate,
    /// The latest end in the window.
    pub ends: NaiveDate,
    /// The contracts, earliest end first.
    pub contracts: Vec<Contract>,
}

impl Window {
    /// The kommuner in the window, each once, in ascending order of id.
    pub fn kommuner(&self) -> Vec<i32> {
        let mut k: Vec<i32> = self.contracts.iter().map(|c| c.kommun).collect();
        k.sort_unstable();
        k.dedup();
        k
    }

    /// The date a joint procurement would have to start to be done before the first contract
    /// ends, given the months one takes.
    pub fn procurement_deadline(&self, lead_months: u32) -> NaiveDate {
        self.starts
            .checked_sub_months(Months::new(lead_months))
            .unwrap_or(NaiveDate::MIN)
    }
}

/// The windows among `contracts` that start between `today` and `today + within_months` and
/// hold contracts of at least `min_kommuner` kommuner. Greedy from the earliest end: a window
/// takes every contract ending within [`WINDOW_MONTHS`] of its first, so windows never overlap
/// and each contract is in at most one; a start that gathers too few kommuner is skipped and
/// the next end tried.
pub fn windows(
    mut contracts: Vec<Contract>,
    today: NaiveDate,
    within_months: u32,
    min_kommuner: usize,
) -> Vec<Window> {
    let last_start = today
        .checked_add_months(Months::new(within_months))
        .unwrap_or(NaiveDate::MAX);
    contracts.retain(|c| c.ends >= today);
    contracts.sort_by_key(|c| (c.ends, c.instance));
    let mut out = Vec::new();
    let mut i = 0;
    while i < contracts.len() && contracts[i].ends <= last_start {
        let starts = contracts[i].ends;
        let limit = starts
            .checked_add_months(Months::new(WINDOW_MONTHS))
            .unwrap_or(NaiveDate::MAX);
        let j = contracts[i..]
            .iter()
            .position(|c| c.ends > limit)
            .map_or(contracts.len(), |n| i + n);
        let window = Window {
            starts,
            ends: contracts[j - 1].ends,
            contracts: contracts[i..j].to_vec(),
        };
        if window.kommuner().len() >= min_kommuner.max(1) {
            out.push(window);
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn c(instance: i64, kommun: i32, ends: &str) -> Contract {
        Contract {
            instance,
            kommun,
            ends: d(ends),
        }
    }

    #[test]
    fn contracts_within_a_year_of_the_first_form_one_window() {
        let today = d("2026-11-25");
        let w = windows(
            vec![
                c(1, 10, "2027-03-31"),
                c(2, 11, "2027-12-31"),
                c(3, 12, "2028-03-31"), // exactly 12 months after the first: still in
                c(4, 13, "2028-04-01"), // one day later: starts the next window
                c(5, 14, "2028-06-30"),
            ],
            today,
            24,
            2,
        );
        assert_eq!(w.len(), 2);
        assert_eq!((w[0].starts, w[0].ends), (d("2027-03-31"), d("2028-03-31")));
        assert_eq!(w[0].kommuner(), [10, 11, 12]);
        assert_eq!(w[1].kommuner(), [13, 14]);
        assert_eq!(w[0].procurement_deadline(12), d("2026-03-31"));
    }

    #[test]
    fn ended_contracts_late_starts_and_lone_kommuner_make_no_window() {
        let today = d("2026-11-25");
        let w = windows(
            vec![
                c(1, 10, "2026-11-24"), // already ended
                c(2, 10, "2027-01-31"),
                c(3, 10, "2027-06-30"), // the same kommun twice is one kommun
                c(4, 11, "2028-02-01"), // within a year of #3, but #2's window misses it
                c(5, 12, "2029-06-30"), // starts after 24 months
                c(6, 13, "2029-07-31"),
            ],
            today,
            24,
            2,
        );
        // #2 alone (kommun 10) is too few; from #3 the window reaches #4.
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].kommuner(), [10, 11]);
        assert_eq!((w[0].starts, w[0].ends), (d("2027-06-30"), d("2028-02-01")));
    }
}
