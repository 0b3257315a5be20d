//! Who may do what (docs/domain.md, "Tenants and people"): what each role alone may do to a
//! record, and [`may`], the one decision every mutation asks. Roles combine by union: a token
//! may do on a record exactly what one of its roles alone may do there, so no combination of
//! roles can grant a right that none of them has (the committee's right to record tollgate
//! decisions never leaks into a kommun's PRIVATE or PARTICIPANTS projects because the same
//! token also reads as a kommun).
use std::{collections::BTreeSet, str::FromStr};

/// What a caller may do, as granted by its token's `roles` claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Reads its kommun's view of the county.
    Viewer,
    /// Also creates and changes its kommun's records.
    Editor,
    /// Also answers invitations on behalf of its kommun.
    Admin,
    /// Member or secretariat of the joint committee (gemensam nämnd).
    Namnd,
    /// A municipal portal: reads the published e-service catalogue only.
    Integration,
    /// The kommun's auditors (revisorer) and their experts: read everything of its own kommun
    /// and its audit trail, write nothing.
    Revisor,
}

impl Role {
    /// The claim value.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
            Role::Namnd => "namnd",
            Role::Integration => "integration",
            Role::Revisor => "revisor",
        }
    }
}

impl FromStr for Role {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s {
            "viewer" => Role::Viewer,
            "editor" => Role::Editor,
            "admin" => Role::Admin,
            "namnd" => Role::Namnd,
            "integration" => Role::Integration,
            "revisor" => Role::Revisor,
            _ => return Err(()),
        })
    }
}

/// What a mutation does to a record, as far as rights are concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Create a record owned by the caller's kommun (a project, an evaluation, a system, an
    /// initiative, an import).
    Create,
    /// Add shared reference data (vendors, products).
    AddReferenceData,
    /// Change a record the caller's kommun owns or leads (edit, invite, cost key, status
    /// report, benefits, options, criteria, state changes, vendor responses).
    Change,
    /// Record a tollgate decision on an e-service project (advance a phase, cancel).
    DecideTollgate,
    /// Answer for the caller's kommun: accept or decline its invitation, withdraw it from a
    /// project it takes part in.
    AnswerForKommun,
    /// Act as a member of a record: publish as a paying member, score as a scoring kommun,
    /// follow up a benefit the kommun owns, withdraw the kommun's support.
    ActAsMember,
    /// Co-sign an open initiative the caller may see.
    Support,
    /// Set a county's own settings (the thresholds of the audit's answers): the joint
    /// committee of that county.
    SetCountySettings,
}

impl Action {
    /// Every action, for tables and tests.
    pub const ALL: [Action; 8] = [
        Action::Create,
        Action::AddReferenceData,
        Action::Change,
        Action::DecideTollgate,
        Action::AnswerForKommun,
        Action::ActAsMember,
        Action::Support,
        Action::SetCountySettings,
    ];

    /// Why a refusal happened, in the words of the rule.
    pub fn refusal(self) -> &'static str {
        match self {
            Action::Create | Action::AddReferenceData | Action::Support => "this needs the editor role",
            Action::Change => "only editors of the owning (lead) kommun may change this record",
            Action::DecideTollgate => {
                "only editors of the lead kommun, or the joint committee (namnd) for projects shared \
                 with its county, record this decision"
            }
            Action::AnswerForKommun => "only the admin role of the kommun concerned answers for it",
            Action::ActAsMember => "only editors of a kommun taking part in this record may do this",
            Action::SetCountySettings => "only the joint committee (namnd) of the county sets its settings",
        }
    }
}

/// The caller's kommun's relation to the record acted on, as the service found it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    /// The caller's kommun owns or leads the record.
    pub owner: bool,
    /// The caller's kommun takes part in the way the action needs (a paying member, a
    /// scoring kommun, the benefit's owner, an active supporter).
    pub member: bool,
    /// The participation or invitation answered is the caller's kommun's own.
    pub own_invitation: bool,
    /// The record is shared with the whole of the caller's county (COUNTY or PUBLIC in the
    /// caller's county): what the joint committee sees.
    pub county_shared: bool,
}

/// What one role alone may do. Reading is not here: the visibility rule decides it.
pub fn grants(role: Role, action: Action, s: Standing) -> bool {
    use Action::*;
    match role {
        // An auditor's independence is that it changes nothing it audits.
        Role::Viewer | Role::Integration | Role::Revisor => false,
        Role::Editor => match action {
            Create | AddReferenceData | Support => true,
            Change | DecideTollgate => s.owner,
            ActAsMember => s.member,
            AnswerForKommun | SetCountySettings => false,
        },
        // The admin role also answers for its kommun, on top of everything an editor does.
        Role::Admin => match action {
            AnswerForKommun => s.own_invitation,
            other => grants(Role::Editor, other, s),
        },
        Role::Namnd => matches!(action, DecideTollgate | SetCountySettings) && s.county_shared,
    }
}

/// Whether a caller with `roles` may perform `action` on a record where its kommun has
/// `standing`: the union of what each role alone may do.
pub fn may(roles: &BTreeSet<Role>, action: Action, standing: Standing) -> bool {
    roles.iter().any(|r| grants(*r, action, standing))
}

/// Whether one role alone may take a closed project out of the service as an archive package
/// (docs/domain.md, "Records that last"): the owner's editors and admins, who deliver it to
/// the e-archive; the owner's auditors, who examine what was delivered; the joint committee
/// for a project shared with its county. Making a package changes nothing, so this is not an
/// [`Action`]: an auditor, who is granted no action, may still take one.
pub fn takes_archive_package(role: Role, s: Standing) -> bool {
    match role {
        Role::Editor | Role::Admin | Role::Revisor => s.owner,
        Role::Namnd => s.county_shared,
        Role::Viewer | Role::Integration => false,
    }
}

/// [`takes_archive_package`] for a caller with `roles`: the union.
pub fn may_take_archive_package(roles: &BTreeSet<Role>, s: Standing) -> bool {
    roles.iter().any(|r| takes_archive_package(*r, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLES: [Role; 6] = [
        Role::Viewer,
        Role::Editor,
        Role::Admin,
        Role::Namnd,
        Role::Integration,
        Role::Revisor,
    ];

    fn standings() -> Vec<Standing> {
        let mut out = Vec::new();
        for bits in 0..16u8 {
            out.push(Standing {
                owner: bits & 1 != 0,
                member: bits & 2 != 0,
                own_invitation: bits & 4 != 0,
                county_shared: bits & 8 != 0,
            });
        }
        out
    }

    #[test]
    fn every_role_set_may_exactly_what_one_of_its_roles_may() {
        for mask in 0..64u8 {
            let set: BTreeSet<Role> = (0..6)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| ROLES[i])
                .collect();
            for action in Action::ALL {
                for s in standings() {
                    let single = set.iter().any(|r| may(&BTreeSet::from([*r]), action, s));
                    assert_eq!(may(&set, action, s), single, "{set:?} {action:?} {s:?}");
                }
            }
        }
    }

    #[test]
    fn the_committee_decides_tollgates_of_county_shared_projects_and_sets_its_countys_settings() {
        let namnd_viewer = BTreeSet::from([Role::Namnd, Role::Viewer]);
        let shared = Standing {
            county_shared: true,
            ..Default::default()
        };
        assert!(may(&namnd_viewer, Action::DecideTollgate, shared));
        // A PARTICIPANTS project the kommun is invited to: not the committee's to decide.
        let invited = Standing {
            own_invitation: true,
            ..Default::default()
        };
        assert!(!may(&namnd_viewer, Action::DecideTollgate, invited));
        let committee = BTreeSet::from([Role::Namnd]);
        assert!(may(&committee, Action::SetCountySettings, shared));
        assert!(!may(&committee, Action::SetCountySettings, Standing::default()));
        for role in [Role::Editor, Role::Admin] {
            for s in standings() {
                assert!(!grants(role, Action::SetCountySettings, s), "{role:?}");
            }
        }
        for action in Action::ALL
            .into_iter()
            .filter(|a| !matches!(a, Action::DecideTollgate | Action::SetCountySettings))
        {
            for s in standings() {
                assert!(!may(&BTreeSet::from([Role::Namnd]), action, s), "{action:?}");
            }
        }
    }

    #[test]
    fn viewers_portals_and_auditors_change_nothing() {
        for role in [Role::Viewer, Role::Integration, Role::Revisor] {
            for action in Action::ALL {
                for s in standings() {
                    assert!(!grants(role, action, s));
                }
            }
        }
    }

    #[test]
    fn archive_packages_go_to_the_owner_its_auditors_and_the_committee_of_shared_projects() {
        let owner = Standing {
            owner: true,
            ..Default::default()
        };
        let shared = Standing {
            county_shared: true,
            ..Default::default()
        };
        for role in [Role::Editor, Role::Admin, Role::Revisor] {
            assert!(takes_archive_package(role, owner), "{role:?}");
            assert!(!takes_archive_package(role, shared), "{role:?}");
        }
        assert!(takes_archive_package(Role::Namnd, shared));
        assert!(!takes_archive_package(Role::Namnd, owner));
        for role in [Role::Viewer, Role::Integration] {
            for s in standings() {
                assert!(!takes_archive_package(role, s), "{role:?}");
            }
        }
        for mask in 0..64u8 {
            let set: BTreeSet<Role> = (0..6)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| ROLES[i])
                .collect();
            for s in standings() {
                let single = set.iter().any(|r| takes_archive_package(*r, s));
                assert_eq!(may_take_archive_package(&set, s), single, "{set:?} {s:?}");
            }
        }
    }
}
