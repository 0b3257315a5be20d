//! Each kommun's register of people in pm3 roles. People are named to their own kommun only:
//! every read here is of the caller's register, and a system instance refers to holders by id,
//! so nothing another kommun reads of an instance (or of its audit events) carries a name.

use chrono::Utc;
use entity::{role_holder, system_instance};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;

use crate::service::{
    Parent, Scope, WriteTx,
    audit::Guarded,
    pagination::{KeysetOrder, Page, PageArgs, finish},
    text, visibility,
};
use crate::{
    domain::authz::{Action, Standing},
    domain::{RecordKind, readiness::looks_like_personnummer},
    error::{ApiError, ApiResult},
};

type Holder = role_holder::Model;

crate::service::audit::versioned!(
    role_holder,
    RecordKind::RoleHolder,
    "the role holder",
    |h| json!({
        "displayName": h.display_name, "key": h.holder_key, "version": h.version,
        "releasedOn": h.released_on,
    })
);

/// How a client names a holder on a system: by the kommun's key, or by exact name.
pub type HolderRef = String;

/// The four pm3 roles of a system as the client names them (empty: nobody).
#[derive(Clone, Debug, Default)]
pub struct RoleRefs {
    pub system_owner: HolderRef,
    pub object_owner: HolderRef,
    pub object_manager_business: HolderRef,
    pub object_manager_it: HolderRef,
}

/// One kommun's register, loaded once for a mutation or an import.
pub struct Register(Vec<Holder>);

/// What a client's name for a holder turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Named {
    /// Nobody (an empty cell).
    Nobody,
    /// Someone in the register.
    Holder(i64),
    /// A name nobody in the register has yet: the write adds them.
    New(String),
}

impl Register {
    /// The holder `r` names: a key of this kommun's register, a display name exactly one
    /// holder has (names are matched exactly: "anna berg" is not "Anna Berg"), or a new name;
    /// a name several holders share is refused, since only a key tells them apart.
    pub fn resolve(&self, r: &str) -> Result<Named, String> {
        let r = r.trim();
        if r.is_empty() {
            return Ok(Named::Nobody);
        }
        if let Some(h) = self.0.iter().find(|h| h.holder_key.as_deref() == Some(r)) {
            return Ok(Named::Holder(h.id));
        }
        let named: Vec<&Holder> = self.0.iter().filter(|h| h.display_name == r).collect();
        match named.as_slice() {
            [h] => Ok(Named::Holder(h.id)),
            [] => Ok(Named::New(r.to_owned())),
            _ => Err(format!(
                "'{r}' names {} people in the kommun's register; give their key instead",
                named.len()
            )),
        }
    }

    /// All four roles, each error naming its field.
    pub fn resolve_all(&self, refs: &RoleRefs) -> Result<[Named; 4], (&'static str, String)> {
        let one = |field: &'static str, r: &str| self.resolve(r).map_err(|m| (field, m));
        Ok([
            one("systemOwner", &refs.system_owner)?,
            one("objectOwner", &refs.object_owner)?,
            one("objectManagerBusiness", &refs.object_manager_business)?,
            one("objectManagerIt", &refs.object_manager_it)?,
        ])
    }
}

fn check_key(key: Option<&str>) -> ApiResult<Option<String>> {
    let Some(key) = key else { return Ok(None) };
    let key = text("key", key, 100, false)?;
    if key.is_empty() {
        return Ok(None);
    }
    if looks_like_personnummer(&key) {
        return Err(ApiError::input(
            "key",
            "key looks like a personnummer; use the kommun's own key (e.g. an employee number)",
        ));
    }
    Ok(Some(key))
}

impl crate::service::Readiness<'_, '_> {
    /// The caller's kommun's register, for resolving names within a mutation.
    pub(in crate::service) async fn register(&self, tx: &WriteTx<'_>) -> ApiResult<Register> {
        Ok(Register(
            role_holder::Entity::find()
                .filter(role_holder::Column::MunicipalityId.eq(tx.principal().municipality_id))
                .all(tx.conn())
                .await?,
        ))
    }

    /// The holders `named` stand for, adding new names to the register (and to `register`,
    /// so that a name met twice in one import is one person). A mutation that adds a person
    /// names the register, so its audit event shows only to the kommun: it carries a name.
    pub(in crate::service) async fn holders_for(
        &self,
        tx: &mut WriteTx<'_>,
        grant: &crate::service::Grant,
        register: &mut Register,
        named: [Named; 4],
    ) -> ApiResult<[Option<i64>; 4]> {
        let mut out = [None; 4];
        for (slot, n) in out.iter_mut().zip(named) {
            *slot = match n {
                Named::Nobody => None,
                Named::Holder(id) => Some(id),
                Named::New(name) => {
                    if let Ok(Named::Holder(id)) = register.resolve(&name) {
                        Some(id)
                    } else {
                        let h = self.insert_holder(tx, grant, name, None).await?;
                        let id = h.id;
                        register.0.push(h);
                        Some(id)
                    }
                }
            };
        }
        Ok(out)
    }

    async fn insert_holder(
        &self,
        tx: &mut WriteTx<'_>,
        grant: &crate::service::Grant,
        name: String,
        key: Option<String>,
    ) -> ApiResult<Holder> {
        let me = tx.principal();
        tx.names(Parent::RoleRegister(me.municipality_id));
        let now = Utc::now();
        tx.insert(
            grant,
            role_holder::ActiveModel {
                municipality_id: Set(me.municipality_id),
                display_name: Set(name),
                holder_key: Set(key),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            },
        )
        .await
    }

    /// Keeps `released_on` true for the holders a change of systems' roles `touched` (held
    /// before or after it): a holder who holds no role now is released today unless already
    /// released; one who holds a role again is not released. A change here names the register,
    /// as it names a person.
    pub(in crate::service) async fn settle_releases(
        &self,
        tx: &mut WriteTx<'_>,
        grant: &crate::service::Grant,
        touched: impl IntoIterator<Item = i64>,
    ) -> ApiResult<()> {
        let mut ids: Vec<i64> = touched.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(());
        }
        let holders = role_holder::Entity::find()
            .filter(role_holder::Column::Id.is_in(ids.iter().copied()))
            .filter(role_holder::Column::MunicipalityId.eq(tx.principal().municipality_id))
            .all(tx.conn())
            .await?;
        let cols = [
            system_instance::Column::SystemOwnerId,
            system_instance::Column::ObjectOwnerId,
            system_instance::Column::ObjectManagerBusinessId,
            system_instance::Column::ObjectManagerItId,
        ];
        let mut held = std::collections::HashSet::new();
        for col in cols {
            use sea_orm::QuerySelect;
            let rows: Vec<Option<i64>> = system_instance::Entity::find()
                .select_only()
                .column(col)
                .filter(col.is_in(ids.iter().copied()))
                .distinct()
                .into_tuple()
                .all(tx.conn())
                .await?;
            held.extend(rows.into_iter().flatten());
        }
        let today = Utc::now().date_naive();
        for h in holders {
            let released_on = match (held.contains(&h.id), h.released_on) {
                (true, Some(_)) => None,
                (false, None) => Some(today),
                _ => continue,
            };
            tx.names(Parent::RoleRegister(h.municipality_id));
            let after = Holder {
                released_on,
                ..h.clone()
            };
            tx.update(grant, &h, after).await?;
        }
        Ok(())
    }

    /// The same, outside a transaction (an import checks its rows before it writes).
    pub(in crate::service) async fn own_register(&self) -> ApiResult<Register> {
        let me = self.principal()?;
        Ok(Register(
            role_holder::Entity::find()
                .filter(role_holder::Column::MunicipalityId.eq(me.municipality_id))
                .all(self.db())
                .await?,
        ))
    }

    fn own_kommun_reader(&self) -> ApiResult<()> {
        let p = self.reader()?;
        if p.reads_as_kommun() {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "people in pm3 roles are named to their own kommun only".into(),
            ))
        }
    }

    /// The caller's kommun's register, by name then id; `search` matches name or key.
    pub async fn role_holders(&self, search: Option<&str>, args: &PageArgs) -> ApiResult<Page<Holder>> {
        self.own_kommun_reader()?;
        let req = args.validate()?;
        let mut q = role_holder::Entity::find().filter(visibility::own_register(
            self.caller(),
            role_holder::Column::MunicipalityId,
        ));
        if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
            let s = text("search", s, 200, false)?;
            q = q.filter(
                Condition::any()
                    .add(role_holder::Column::DisplayName.contains(&s))
                    .add(role_holder::Column::HolderKey.eq(s)),
            );
        }
        let keyset = KeysetOrder {
            key: None,
            id: role_holder::Column::Id,
            ascending: true,
        };
        Ok(finish(keyset.apply(q, &req).all(self.db()).await?, &req))
    }

    /// Holders of the caller's kommun by id (the loader behind a system's roles); ids of other
    /// kommuner's registers load nothing.
    pub async fn role_holders_by_ids(&self, ids: &[i64]) -> ApiResult<Vec<Holder>> {
        Ok(role_holder::Entity::find()
            .filter(visibility::own_register(
                self.caller(),
                role_holder::Column::MunicipalityId,
            ))
            .filter(role_holder::Column::Id.is_in(ids.to_vec()))
            .order_by_asc(role_holder::Column::Id)
            .all(self.db())
            .await?)
    }

    async fn key_taken(&self, tx: &WriteTx<'_>, key: &Option<String>, other_than: i64) -> ApiResult<()> {
        let Some(key) = key else { return Ok(()) };
        let taken = role_holder::Entity::find()
            .filter(role_holder::Column::MunicipalityId.eq(tx.principal().municipality_id))
            .filter(role_holder::Column::HolderKey.eq(key.as_str()))
            .filter(role_holder::Column::Id.ne(other_than))
            .one(tx.conn())
            .await?;
        if taken.is_some() {
            return Err(ApiError::input(
                "key",
                format!("key '{key}' is already in the register"),
            ));
        }
        Ok(())
    }

    /// Adds a person to the caller's kommun's register.
    pub async fn create_role_holder(&self, name: &str, key: Option<&str>) -> ApiResult<Holder> {
        self.refuse_early(Action::Create)?;
        let name = text("displayName", name, 200, true)?;
        let key = check_key(key)?;
        let mut tx = self.write("createRoleHolder").await?;
        let grant = tx.authorize(Action::Create, Standing::default())?;
        self.key_taken(&tx, &key, 0).await?;
        tx.within(Parent::RoleRegister(tx.principal().municipality_id));
        let h = self.insert_holder(&mut tx, &grant, name, key).await?;
        tx.commit().await?;
        Ok(h)
    }

    /// Renames a person or changes their key (`Some(None)` clears it).
    pub async fn update_role_holder(
        &self,
        id: i64,
        version: i32,
        name: Option<&str>,
        key: Option<Option<&str>>,
    ) -> ApiResult<Holder> {
        let mut tx = self.write("updateRoleHolder").await?;
        let (before, grant) = self
            .changeable::<Holder>(&tx, id, Action::Change)
            .await?
            .into_parts();
        let mut after = before.clone();
        if let Some(n) = name {
            after.display_name = text("displayName", n, 200, true)?;
        }
        if let Some(k) = key {
            after.holder_key = check_key(k)?;
            self.key_taken(&tx, &after.holder_key, id).await?;
        }
        let after = tx.save(&grant, &before, after, version).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Removes a person who holds no role on any system; refused naming the systems otherwise.
    pub async fn delete_role_holder(&self, id: i64) -> ApiResult<Holder> {
        let mut tx = self.write("deleteRoleHolder").await?;
        let (h, grant) = self
            .changeable::<Holder>(&tx, id, Action::Change)
            .await?
            .into_parts();
        let holding = system_instance::Entity::find()
            .filter(
                Condition::any()
                    .add(system_instance::Column::SystemOwnerId.eq(id))
                    .add(system_instance::Column::ObjectOwnerId.eq(id))
                    .add(system_instance::Column::ObjectManagerBusinessId.eq(id))
                    .add(system_instance::Column::ObjectManagerItId.eq(id)),
            )
            .order_by_asc(system_instance::Column::Id)
            .all(tx.conn())
            .await?;
        if !holding.is_empty() {
            let names: Vec<String> = holding
                .iter()
                .map(|i| {
                    let label = if i.maintenance_object.is_empty() {
                        format!("system {}", i.id)
                    } else {
                        i.maintenance_object.clone()
                    };
                    format!("{label} (system instance {})", i.id)
                })
                .collect();
            return Err(ApiError::Conflict(format!(
                "{} still holds roles on {}: {}; give the roles to someone else first",
                h.display_name,
                if names.len() == 1 { "a system" } else { "systems" },
                names.join(", ")
            )));
        }
        tx.delete(&grant, &h).await?;
        tx.commit().await?;
        Ok(h)
    }
}

/// A register is its kommun's alone: another kommun's holders are not found.
impl Guarded for Holder {
    const MISSING: &'static str = "no role holder with that id";

    async fn load(_: &Scope<'_>, tx: &WriteTx<'_>, id: i64) -> ApiResult<Option<Self>> {
        let me = tx.principal().municipality_id;
        Ok(role_holder::Entity::find_by_id(id)
            .one(tx.conn())
            .await?
            .filter(|h| h.municipality_id == me))
    }

    fn parent(&self) -> Parent {
        Parent::RoleRegister(self.municipality_id)
    }

    async fn standing(&self, _: &Scope<'_>, _: &WriteTx<'_>, _: Action) -> ApiResult<Standing> {
        Ok(Standing {
            owner: true,
            ..Default::default()
        })
    }
}
