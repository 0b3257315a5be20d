//! The kommuner that read a project by taking part in it (its visibility is PARTICIPANTS, they
//! are not its owner, and they are invited or have accepted), as they stood when its kept
//! shares were last priced: what `project_share_taking_sum` was summed over, so that a change
//! of participants moves those sums by the difference. Derived, like the shares.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project_taker")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub project_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub municipality_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
