//! Demo data so that a fresh development database has something to show: a few projects,
//! and an inventory with a vendor initiative built through the services (so the audit trail
//! shows them too).
use chrono::Utc;
use entity::{participation, project};

use crate::domain::{
    CostKey, ParticipationRole, ParticipationState, Phase, TargetGroup, Visibility, cost_sharing::BasisPoints,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

/// Loads the demo projects into a database that has none.
pub async fn load(db: &DatabaseConnection) -> anyhow::Result<()> {
    if project::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let kommun = |code: &'static str| async move {
        entity::municipality::Entity::find()
            .filter(entity::municipality::Column::Code.eq(code))
            .one(db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("kommun {code} missing"))
    };
    let demos = [
        (
            "E-tjänst för bygglov",
            "bygglov",
            "1880",
            Visibility::County,
            Phase::Planning,
            2_400_000 * 100i64,
            vec!["1881", "1861", "1885"],
        ),
        (
            "Ansökan om försörjningsstöd",
            "forsorjningsstod",
            "1883",
            Visibility::Participants,
            Phase::PreStudy,
            850_000 * 100,
            vec!["1862"],
        ),
        (
            "Skolval för vårdnadshavare",
            "skola",
            "1881",
            Visibility::County,
            Phase::Idea,
            300_000 * 100,
            vec![],
        ),
        // Live and PUBLIC: what the catalogue lists for portals, offered by several kommuner.
        (
            "Felanmälan gata och park",
            "felanmalan",
            "1880",
            Visibility::Public,
            Phase::Execution,
            600_000 * 100,
            vec!["1881", "1884"],
        ),
        (
            "Ansökan om parkeringstillstånd",
            "parkering",
            "1881",
            Visibility::Public,
            Phase::BenefitRealization,
            250_000 * 100,
            vec!["1880", "1885"],
        ),
        // Done and followed up: what an archive package is made of.
        (
            "Digital nämndhandling",
            "namndhandling",
            "1880",
            Visibility::County,
            Phase::Closed,
            400_000 * 100,
            vec!["1881"],
        ),
    ];
    let now = Utc::now();
    for (title, tag, owner, visibility, phase, budget, participants) in demos {
        let o = kommun(owner).await?;
        let p = project::ActiveModel {
            title: Set(title.into()),
            summary: Set(format!("Demo: {title}")),
            description: Set(String::new()),
            tags: Set(format!("[\"{tag}\"]")),
            target_group: Set(TargetGroup::Citizens),
            owner_id: Set(o.id),
            county_id: Set(o.county_id),
            visibility: Set(visibility),
            budget_ore: Set(budget),
            phase: Set(phase),
            cost_key: Set(CostKey::Mixed),
            // 30 % split equally, the rest by population.
            mixed_equal_bp: Set(BasisPoints::of(3_000)),
            health: Set(None),
            next_tollgate_due: Set(None),
            // Örebro plans its projects in the business plan; the others have not started to.
            plan_year: Set((owner == "1880").then_some(2026)),
            // Agreed past PLANNING under the figures shipped for the county.
            population_year: Set((phase > Phase::Planning).then_some(2023)),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        for (code, role) in std::iter::once((owner, ParticipationRole::Lead)).chain(
            participants
                .into_iter()
                .map(|c| (c, ParticipationRole::Participant)),
        ) {
            let m = kommun(code).await?;
            participation::ActiveModel {
                project_id: Set(p.id),
                municipality_id: Set(m.id),
                role: Set(role),
                state: Set(ParticipationState::Accepted),
                custom_bp: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
        if phase >= Phase::Execution {
            let mut from = Phase::Idea;
            let mut decided = now.date_naive() - chrono::Days::new(400);
            while let Some(to) = from.next().filter(|_| from < phase) {
                entity::decision::ActiveModel {
                    project_id: Set(p.id),
                    from_phase: Set(from),
                    to_phase: Set(to),
                    decided_on: Set(decided),
                    deciding_body: Set("Gemensam nämnd för e-tjänster".into()),
                    diarienummer: Set(format!("GN {}/{}", decided.format("%Y"), 10 + to as i32)),
                    summary: Set(format!("Beslut vid beslutspunkt: till {to}")),
                    recorded_by_id: Set(o.id),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(db)
                .await?;
                from = to;
                decided = decided + chrono::Days::new(60);
            }
        }
        if visibility == Visibility::Public {
            publish(db, &p, title, tag).await?;
        }
    }
    Ok(())
}

/// Each participating kommun publishes the live e-service on its own site; the lead kommun
/// and the first participant have published their accessibility statements, the others not
/// yet (which the catalogue flags).
async fn publish(db: &DatabaseConnection, p: &project::Model, title: &str, tag: &str) -> anyhow::Result<()> {
    use crate::domain::catalogue::AccessibilityConformance;
    let offering = participation::Entity::find()
        .filter(participation::Column::ProjectId.eq(p.id))
        .all(db)
        .await?;
    let now = Utc::now();
    for (i, part) in offering.iter().enumerate() {
        let m = entity::municipality::Entity::find_by_id(part.municipality_id)
            .one(db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("kommun {} missing", part.municipality_id))?;
        let site = m.name.to_lowercase().replace(['å', 'ä'], "a").replace('ö', "o");
        let url = format!("https://e-tjanster.{site}.example/{tag}");
        let (statement, conformance) = match i {
            0 => (
                Some(format!("{url}/tillganglighet")),
                Some(AccessibilityConformance::PartiallyCompliant),
            ),
            1 => (
                Some(format!("{url}/tillganglighet")),
                Some(AccessibilityConformance::FullyCompliant),
            ),
            _ => (None, None),
        };
        entity::catalogue_entry::ActiveModel {
            project_id: Set(p.id),
            municipality_id: Set(m.id),
            name: Set(title.into()),
            description: Set(format!("{title} i {} kommun, dygnet runt.", m.name)),
            url: Set(url),
            accessibility_statement_url: Set(statement),
            accessibility_conformance: Set(conformance),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Each demo row with a last review date: Örebro reviewed its systems this autumn, the others
/// have not recorded a review.
fn reviewed(csv: &str) -> String {
    let today = chrono::Utc::now().date_naive();
    csv.lines()
        .map(|l| {
            if l.starts_with("556677-8899;Elevkoll;5.1") || l.starts_with("212000-1355;Ekonomi Plus;2024") {
                format!("{l};{}", today - chrono::Days::new(60))
            } else {
                format!("{l};")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const INVENTORY_HEADER: &str = "vendor_org_number;product;version;system_owner;maintenance_object;object_owner;\
object_manager_business;object_manager_it;hosting;data_location;confidentiality;integrity;availability;contract_end;visibility";

/// Loads demo vendors, products, systems of four kommuner and one vendor initiative into a
/// database that has no vendors.
pub async fn load_inventory(db: &DatabaseConnection) -> anyhow::Result<()> {
    use crate::{
        domain::inventory::{InitiativeState, ProductCategory, RequirementPriority},
        domain::readiness::{BodyKind, DocumentKind},
        service::{Reference, Services, initiatives::InitiativeSpec, readiness::DocumentSpec},
    };
    if entity::vendor::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let reference = std::sync::Arc::new(Reference::load(db).await?);
    let services = Services::new(db.clone(), reference.clone());
    let as_kommun = |code: &str| {
        crate::admin::operator(&reference, code, "demo")
            .ok_or_else(|| anyhow::anyhow!("kommun {code} missing"))
    };
    let failed =
        |what: &'static str| move |e: crate::error::ApiError| anyhow::anyhow!("{what}: {}", e.message());

    let orebro = as_kommun("1880")?;
    let s = services.scope(&orebro, "demo");
    let school = s
        .inventory()
        .create_vendor("Skolsystem AB", "556677-8899", "https://skolsystem.example")
        .await
        .map_err(failed("vendor"))?;
    let finance = s
        .inventory()
        .create_vendor("Ekonomisystem i Norden AB", "212000-1355", "")
        .await
        .map_err(failed("vendor"))?;
    let elevkoll = s
        .inventory()
        .create_product(
            school.id,
            "Elevkoll",
            ProductCategory::School,
            &["SS 12000".into()],
        )
        .await
        .map_err(failed("product"))?;
    s.inventory()
        .create_product(finance.id, "Ekonomi Plus", ProductCategory::Finance, &[])
        .await
        .map_err(failed("product"))?;

    // Contract ends relative to the day the demo is loaded, so that the demo always shows
    // contracts ending soon and a joint procurement window (Örebro's and Kumla's Elevkoll).
    let today = chrono::Utc::now().date_naive();
    let end = |months: u32| (today + chrono::Months::new(months)).to_string();
    let rows = [
        (
            "1880",
            format!(
                "556677-8899;Elevkoll;5.1;Skolchef;Skolstöd;Skolchef;Rektor;IT-förvaltare;CLOUD_SAAS;THIRD_COUNTRY;3;2;2;{};COUNTY\n\
                 212000-1355;Ekonomi Plus;2024;Ekonomichef;Ekonomi;Ekonomichef;Controller;IT-förvaltare;OWN_DATACENTER;SWEDEN;2;3;2;{};COUNTY",
                end(7),
                end(49)
            ),
        ),
        (
            "1881",
            format!(
                "556677-8899;Elevkoll;5.0;Skolchef;Skolstöd;Skolchef;Rektor;IT;CLOUD_SAAS;EU_EEA;3;2;2;{};COUNTY",
                end(13)
            ),
        ),
        (
            "1884",
            "556677-8899;Elevkoll;4.8;Bildningschef;Skolstöd;Bildningschef;Rektor;IT;CLOUD_SAAS;EU_EEA;2;2;2;;PRIVATE".to_owned(),
        ),
        (
            "1885",
            format!(
                "212000-1355;Ekonomi Plus;2023;Ekonomichef;Ekonomi;Ekonomichef;Controller;IT;SHARED_COUNTY;SWEDEN;2;3;2;{};COUNTY",
                end(16)
            ),
        ),
    ];
    for (code, csv) in rows {
        let caller = as_kommun(code)?;
        let k = services.scope(&caller, "demo");
        // The kommun's register first: the import names people by exact name.
        let mut people = std::collections::BTreeSet::new();
        for line in csv.lines() {
            let cells: Vec<&str> = line.split(';').collect();
            for i in [3, 5, 6, 7] {
                people.insert(cells[i].to_owned());
            }
        }
        for name in people {
            k.readiness()
                .create_role_holder(&name, None)
                .await
                .map_err(failed("role holder"))?;
        }
        k.inventory()
            .import_instances(&format!("{INVENTORY_HEADER};last_reviewed\n{}\n", reviewed(&csv)))
            .await
            .map_err(failed("systems"))?;
    }

    // Örebro's governing documents, so that its audit answers show at once: an IT strategy
    // adopted by the council (MEETS), guidelines adopted by an official only.
    for (kind, title, body, elected, decided, diarienummer) in [
        (
            DocumentKind::ItStrategy,
            "IT-strategi för Örebro kommun 2024–2027",
            "Kommunfullmäktige",
            true,
            "2024-03-14",
            "KS 2023/812",
        ),
        (
            DocumentKind::ItGuidelines,
            "Riktlinjer för systemförvaltning enligt pm3",
            "Kommundirektören",
            false,
            "2025-01-20",
            "KS 2024/1033",
        ),
    ] {
        let decided_on = chrono::NaiveDate::parse_from_str(decided, "%Y-%m-%d")?;
        s.readiness()
            .create_governing_document(DocumentSpec {
                kind: Some(kind),
                title: Some(title.into()),
                adopting_body: Some(body.into()),
                body_kind: Some(if elected {
                    BodyKind::Elected
                } else {
                    BodyKind::Official
                }),
                decided_on: Some(decided_on),
                diarienummer: Some(diarienummer.into()),
                next_review: Some(decided_on.checked_add_months(chrono::Months::new(36))),
                link: None,
                visibility: None,
            })
            .await
            .map_err(failed("governing document"))?;
    }

    let initiative = s
        .influence()
        .create_initiative(InitiativeSpec {
            title: Some("Öppet API enligt SS 12000".into()),
            description: Some("Elevkoll ska exponera elev- och gruppdata via SS 12000.".into()),
            vendor_id: Some(school.id),
            product_id: Some(Some(elevkoll.id)),
            deadline: Some(chrono::NaiveDate::from_ymd_opt(2027, 6, 30)),
            visibility: None,
            requirements: Some(vec![
                (
                    "Stöd för SS 12000 (import och export)".into(),
                    RequirementPriority::Must,
                ),
                ("Export till CSV".into(), RequirementPriority::Should),
            ]),
        })
        .await
        .map_err(failed("initiative"))?;
    s.influence()
        .transition_initiative(initiative.id, initiative.version, InitiativeState::OpenForSupport)
        .await
        .map_err(failed("initiative"))?;
    for code in ["1881", "1884"] {
        let caller = as_kommun(code)?;
        services
            .scope(&caller, "demo")
            .influence()
            .support(initiative.id, "Vi står bakom kravet.")
            .await
            .map_err(failed("support"))?;
    }
    Ok(())
}

/// Seeds `n` projects owned across the county's kommuner, each with 1–6 participations,
/// for benchmarks. Deterministic, so runs are comparable.
pub async fn seed_volume(
    db: &DatabaseConnection,
    n: usize,
    counties: &crate::reference::Served,
) -> anyhow::Result<()> {
    use sea_orm::TransactionTrait;
    let reference = crate::reference::Reference::load(db).await?.serving(counties);
    let kommuner = reference.municipalities().to_vec();
    anyhow::ensure!(
        !kommuner.is_empty(),
        "no kommuner in counties {counties}: run migrate first"
    );
    // A project's members are kommuner of its owner's county.
    let mut of_county: std::collections::HashMap<i32, Vec<i32>> = Default::default();
    for m in &kommuner {
        of_county.entry(m.county_id).or_default().push(m.id);
    }
    let mut state: u64 = 0x5eed;
    let mut next = move |m: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % m
    };
    let phases = [
        Phase::Idea,
        Phase::PreStudy,
        Phase::Planning,
        Phase::Execution,
        Phase::Closing,
    ];
    let visibilities = [
        Visibility::County,
        Visibility::County,
        Visibility::County,
        Visibility::Participants,
        Visibility::Private,
    ];
    let now = Utc::now();
    for chunk in (0..n).collect::<Vec<_>>().chunks(250) {
        let tx = db.begin().await?;
        for i in chunk {
            let owner = &kommuner[next(kommuner.len() as u64) as usize];
            let neighbours = &of_county[&owner.county_id];
            let phase = phases[next(5) as usize];
            // Per capita where the county has figures, agreed under them past PLANNING.
            let year = reference.current_year(owner.county_id);
            let p = project::ActiveModel {
                title: Set(format!(
                    "E-tjänst {i:05}: {}",
                    ["bygglov", "skolval", "försörjningsstöd", "parkering", "bredband"][i % 5]
                )),
                summary: Set("Benchmarkprojekt".into()),
                description: Set(String::new()),
                tags: Set("[]".into()),
                target_group: Set(TargetGroup::Citizens),
                owner_id: Set(owner.id),
                county_id: Set(owner.county_id),
                visibility: Set(visibilities[next(5) as usize]),
                budget_ore: Set((next(10_000) as i64 + 1) * 100_000),
                phase: Set(phase),
                cost_key: Set(if year.is_some() {
                    CostKey::PerCapita
                } else {
                    CostKey::Equal
                }),
                population_year: Set(year.filter(|_| phase > Phase::Planning)),
                mixed_equal_bp: Set(BasisPoints::MIN),
                health: Set(None),
                next_tollgate_due: Set(None),
                plan_year: Set(None),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
            let extra = (next(6) as usize).min(neighbours.len() - 1);
            let mut members = vec![owner.id];
            while members.len() < 1 + extra {
                let m = neighbours[next(neighbours.len() as u64) as usize];
                if !members.contains(&m) {
                    members.push(m);
                }
            }
            let rows = members
                .iter()
                .enumerate()
                .map(|(k, m)| participation::ActiveModel {
                    project_id: Set(p.id),
                    municipality_id: Set(*m),
                    role: Set(if k == 0 {
                        ParticipationRole::Lead
                    } else {
                        ParticipationRole::Participant
                    }),
                    state: Set(ParticipationState::Accepted),
                    custom_bp: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                });
            participation::Entity::insert_many(rows).exec(&tx).await?;
        }
        // Written past the audited services, so the generation is raised here: a server
        // running on this database must not keep answering from before the seed.
        crate::service::generation::bump_everywhere(&tx).await?;
        tx.commit().await?;
    }
    // The kept cost shares know nothing of these projects: the next start prices the
    // counties whole.
    db.execute_unprepared("DELETE FROM derived_state WHERE name LIKE 'project_share:%'")
        .await?;
    // Fresh statistics, so that the benchmark measures the plans a settled database gets
    // rather than whatever autovacuum has or has not caught up with.
    use sea_orm::ConnectionTrait;
    db.execute_unprepared("ANALYZE").await?;
    Ok(())
}

/// Appends `n` audit events to the chain of the county of kommun 1880, chained exactly as
/// `WriteTx::commit` chains them, for measuring the chain's verification at size. Like the
/// rest of the bench seeding it writes directly, outside the audited path, and only for a
/// development database.
pub async fn seed_audit_events(db: &DatabaseConnection, n: usize) -> anyhow::Result<()> {
    use crate::domain::chain;
    use entity::{audit_chain_head, audit_event};
    use sea_orm::TransactionTrait;
    let kommun = entity::municipality::Entity::find()
        .filter(entity::municipality::Column::Code.eq("1880"))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("kommun 1880 missing: run migrate first"))?;
    let county = kommun.county_id;
    let tx = db.begin().await?;
    let head = audit_chain_head::Entity::find_by_id(county).one(&tx).await?;
    let (mut seq, mut prev) = head
        .as_ref()
        .map_or((0, chain::GENESIS.to_owned()), |h| (h.seq, h.hash.clone()));
    let start = chain::instant(Utc::now()) - chrono::TimeDelta::seconds(n as i64);
    for batch in (0..n).collect::<Vec<_>>().chunks(1_000) {
        let mut rows = Vec::with_capacity(batch.len());
        for i in batch {
            let at = start + chrono::TimeDelta::seconds(*i as i64);
            let salt = uuid::Uuid::new_v4().simple().to_string();
            let sub = format!("bench-user-{}", i % 500);
            let digest = chain::actor_digest(&salt, &sub);
            let after = format!("{{\"title\":\"Projekt {i}\",\"phase\":\"IDEA\"}}");
            let request_id = format!("bench-{i}");
            let hash = chain::EventContent {
                county_id: county,
                seq: seq + 1,
                prev_hash: &prev,
                occurred_at: at,
                actor_digest: &digest,
                actor_municipality_id: kommun.id,
                actor_roles: "editor",
                action: "updateEServiceProject",
                record_type: "EServiceProject",
                record_id: *i as i64,
                before: None,
                after: Some(&after),
                request_id: &request_id,
                scope_type: Some("EServiceProject"),
                scope_id: Some(*i as i64),
            }
            .hash();
            seq += 1;
            rows.push(audit_event::ActiveModel {
                occurred_at: Set(at),
                actor_sub: Set(sub),
                actor_municipality_id: Set(kommun.id),
                actor_roles: Set("editor".into()),
                action: Set("updateEServiceProject".into()),
                record_type: Set(crate::domain::RecordKind::EServiceProject),
                record_id: Set(*i as i64),
                before: Set(None),
                after: Set(Some(after)),
                request_id: Set(request_id),
                scope_type: Set(Some(crate::domain::RecordKind::EServiceProject)),
                scope_id: Set(Some(*i as i64)),
                county_id: Set(Some(county)),
                chain_seq: Set(Some(seq)),
                prev_hash: Set(Some(prev.clone())),
                hash: Set(Some(hash.clone())),
                chain_form: Set(Some(chain::FORM)),
                actor_digest: Set(Some(digest)),
                actor_salt: Set(Some(salt)),
                created_at: Set(at),
                updated_at: Set(at),
                ..Default::default()
            });
            prev = hash;
        }
        audit_event::Entity::insert_many(rows).exec(&tx).await?;
    }
    audit_chain_head::Entity::insert(audit_chain_head::ActiveModel {
        county_id: Set(county),
        seq: Set(seq),
        hash: Set(prev.clone()),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::column(audit_chain_head::Column::CountyId)
            .update_columns([audit_chain_head::Column::Seq, audit_chain_head::Column::Hash])
            .to_owned(),
    )
    .exec(&tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
