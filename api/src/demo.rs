//! A few demo projects so that a fresh development database has something to show.
use chrono::Utc;
use entity::{participation, project};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    Set,
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
            "COUNTY",
            "PLANNING",
            2_400_000 * 100i64,
            vec!["1881", "1861", "1885"],
        ),
        (
            "Ansökan om försörjningsstöd",
            "forsorjningsstod",
            "1883",
            "PARTICIPANTS",
            "PRE_STUDY",
            850_000 * 100,
            vec!["1862"],
        ),
        (
            "Skolval för vårdnadshavare",
            "skola",
            "1881",
            "COUNTY",
            "IDEA",
            300_000 * 100,
            vec![],
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
            target_group: Set("CITIZENS".into()),
            owner_id: Set(o.id),
            county_id: Set(o.county_id),
            visibility: Set(visibility.into()),
            budget_ore: Set(budget),
            phase: Set(phase.into()),
            cost_key: Set("MIXED".into()),
            mixed_equal_bp: Set(3_000),
            health: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        for (code, role) in std::iter::once((owner, "LEAD"))
            .chain(participants.into_iter().map(|c| (c, "PARTICIPANT")))
        {
            let m = kommun(code).await?;
            participation::ActiveModel {
                project_id: Set(p.id),
                municipality_id: Set(m.id),
                role: Set(role.into()),
                state: Set("ACCEPTED".into()),
                custom_bp: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}
