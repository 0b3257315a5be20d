//! A data subject's access request (GDPR art. 15, docs/domain.md "Records that last"): every
//! record naming a person, for the operator to hand over. People appear in two places: as the
//! actor (`sub`) of audit events, and as holders of pm3 roles in a kommun's register (named by
//! the systems whose roles they hold and by the register's audit events).
use entity::{audit_event, role_holder, system_instance};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

fn event_json(e: &audit_event::Model) -> Value {
    let parse = |t: &Option<String>| {
        t.as_deref()
            .map(|t| serde_json::from_str::<Value>(t).unwrap_or(Value::String(t.to_owned())))
    };
    json!({
        "id": e.id,
        "occurredAt": e.occurred_at.to_rfc3339(),
        "actorSub": e.actor_sub,
        "actorMunicipalityId": e.actor_municipality_id,
        "actorRoles": e.actor_roles,
        "action": e.action,
        "recordType": e.record_type.as_str(),
        "recordId": e.record_id,
        "before": parse(&e.before),
        "after": parse(&e.after),
        "requestId": e.request_id,
    })
}

/// Every audit event whose actor is `sub`, oldest first.
pub async fn by_actor<C: ConnectionTrait>(db: &C, sub: &str) -> Result<Value, sea_orm::DbErr> {
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::ActorSub.eq(sub))
        .order_by_asc(audit_event::Column::Id)
        .all(db)
        .await?;
    Ok(json!({
        "subject": {"sub": sub},
        "auditEventsAsActor": events.iter().map(event_json).collect::<Vec<_>>(),
    }))
}

/// Kommun `municipality_id`'s register entry with key `key`, the systems whose roles the person
/// holds (and which), and the audit events about the entry; `None` if there is no such person.
pub async fn by_holder_key<C: ConnectionTrait>(
    db: &C,
    municipality_id: i32,
    key: &str,
) -> Result<Option<Value>, sea_orm::DbErr> {
    let Some(h) = role_holder::Entity::find()
        .filter(role_holder::Column::MunicipalityId.eq(municipality_id))
        .filter(role_holder::Column::HolderKey.eq(key))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let systems = system_instance::Entity::find()
        .filter(
            Condition::any()
                .add(system_instance::Column::SystemOwnerId.eq(h.id))
                .add(system_instance::Column::ObjectOwnerId.eq(h.id))
                .add(system_instance::Column::ObjectManagerBusinessId.eq(h.id))
                .add(system_instance::Column::ObjectManagerItId.eq(h.id)),
        )
        .order_by_asc(system_instance::Column::Id)
        .all(db)
        .await?;
    let roles = |s: &system_instance::Model| {
        [
            ("systemOwner", s.system_owner_id),
            ("objectOwner", s.object_owner_id),
            ("objectManagerBusiness", s.object_manager_business_id),
            ("objectManagerIt", s.object_manager_it_id),
        ]
        .into_iter()
        .filter(|(_, id)| *id == Some(h.id))
        .map(|(r, _)| r)
        .collect::<Vec<_>>()
    };
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::RecordType.eq(crate::domain::RecordKind::RoleHolder.as_str()))
        .filter(audit_event::Column::RecordId.eq(h.id))
        .order_by_asc(audit_event::Column::Id)
        .all(db)
        .await?;
    Ok(Some(json!({
        "subject": {"municipalityId": municipality_id, "key": key},
        "roleHolder": {
            "id": h.id,
            "displayName": h.display_name,
            "key": h.holder_key,
            "createdAt": h.created_at.to_rfc3339(),
            "updatedAt": h.updated_at.to_rfc3339(),
        },
        "systems": systems.iter().map(|s| json!({"systemInstanceId": s.id, "roles": roles(s)})).collect::<Vec<_>>(),
        "auditEventsAboutTheEntry": events.iter().map(event_json).collect::<Vec<_>>(),
    })))
}
