//! Governing documents (styrdokument): in force from their decision date until replaced.

use chrono::{NaiveDate, Utc};
use entity::governing_document;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, Select, Set};
use serde_json::json;

use crate::service::{
    Parent, Scope, WriteTx,
    audit::Guarded,
    pagination::{KeysetOrder, Page, PageArgs, finish},
    text, visibility,
    visibility::Visible,
};
use crate::{
    domain::authz::{Action, Standing},
    domain::{
        RecordKind, Visibility,
        readiness::{BodyKind, DocumentKind},
    },
    error::{ApiError, ApiResult},
};

type Document = governing_document::Model;

crate::service::audit::versioned!(
    governing_document,
    RecordKind::GoverningDocument,
    "the governing document",
    |d| json!({
        "kind": d.kind, "title": d.title, "adoptingBody": d.adopting_body, "bodyKind": d.body_kind,
        "decidedOn": d.decided_on, "diarienummer": d.diarienummer, "nextReview": d.next_review,
        "link": d.link, "visibility": d.visibility, "replacesId": d.replaces_id,
        "replacedById": d.replaced_by_id, "replacedOn": d.replaced_on, "version": d.version,
    })
);

/// A document's fields as the client gives them; `None` keeps a field on update and is
/// refused where the field is required on creation.
#[derive(Clone, Debug, Default)]
pub struct DocumentSpec {
    pub kind: Option<DocumentKind>,
    pub title: Option<String>,
    pub adopting_body: Option<String>,
    pub body_kind: Option<BodyKind>,
    pub decided_on: Option<NaiveDate>,
    pub diarienummer: Option<String>,
    /// `Some(None)` clears it.
    pub next_review: Option<Option<NaiveDate>>,
    /// `Some(None)` clears it.
    pub link: Option<Option<String>>,
    pub visibility: Option<Visibility>,
}

/// Filters on the list of documents.
#[derive(Clone, Debug, Default)]
pub struct DocumentFilter {
    /// The owning kommun (kommunkod).
    pub municipality: Option<String>,
    pub kinds: Vec<DocumentKind>,
    /// Only documents in force on this date.
    pub in_force_on: Option<NaiveDate>,
}

fn required<T>(field: &str, v: Option<T>) -> ApiResult<T> {
    v.ok_or_else(|| ApiError::input(field, format!("{field} is required")))
}

/// Writes `spec` over `d`, checking every rule; `d` starts from defaults on creation.
fn apply(d: &mut Document, spec: DocumentSpec) -> ApiResult<()> {
    if let Some(k) = spec.kind {
        d.kind = k;
    }
    if let Some(t) = spec.title {
        d.title = text("title", &t, 200, true)?;
    }
    if let Some(b) = spec.adopting_body {
        d.adopting_body = text("adoptingBody", &b, 200, true)?;
    }
    if let Some(b) = spec.body_kind {
        d.body_kind = b;
    }
    if let Some(on) = spec.decided_on {
        d.decided_on = on;
    }
    if let Some(n) = spec.diarienummer {
        d.diarienummer = text("diarienummer", &n, 100, false)?;
    }
    if let Some(r) = spec.next_review {
        d.next_review = r;
    }
    if let Some(l) = spec.link {
        d.link = match l {
            None => None,
            Some(l) => {
                let l = text("link", &l, 2000, false)?;
                if l.is_empty() {
                    None
                } else if !(l.starts_with("https://") || l.starts_with("http://")) {
                    return Err(ApiError::input("link", "link must be an http(s) address"));
                } else {
                    Some(l)
                }
            }
        };
    }
    if let Some(v) = spec.visibility {
        if v == Visibility::Participants {
            return Err(ApiError::input(
                "visibility",
                "a governing document is PRIVATE, COUNTY (the default) or PUBLIC",
            ));
        }
        d.visibility = v;
    }
    if d.next_review.is_some_and(|r| r < d.decided_on) {
        return Err(ApiError::input(
            "nextReview",
            "nextReview must not be before decidedOn",
        ));
    }
    Ok(())
}

impl crate::service::Readiness<'_, '_> {
    fn visible_documents(&self) -> Select<governing_document::Entity> {
        governing_document::Entity::find().filter(visibility::governing_documents(self.caller()))
    }

    /// Governing documents the caller may see, in id order.
    pub async fn governing_documents(
        &self,
        f: &DocumentFilter,
        args: &PageArgs,
    ) -> ApiResult<Page<Visible<Document>>> {
        self.reader()?;
        let req = args.validate()?;
        let mut q = self.visible_documents();
        if let Some(code) = &f.municipality {
            q = q.filter(
                governing_document::Column::OwnerId
                    .eq(self.projects().municipality_id("filter.municipality", code)?),
            );
        }
        if !f.kinds.is_empty() {
            q = q.filter(governing_document::Column::Kind.is_in(f.kinds.clone()));
        }
        if let Some(on) = f.in_force_on {
            q = q.filter(governing_document::Column::DecidedOn.lte(on)).filter(
                Condition::any()
                    .add(governing_document::Column::ReplacedOn.is_null())
                    .add(governing_document::Column::ReplacedOn.gt(on)),
            );
        }
        let keyset = KeysetOrder {
            key: None,
            id: governing_document::Column::Id,
            ascending: true,
        };
        let page = finish(keyset.apply(q, &req).all(self.db()).await?, &req);
        Ok(page.map(Visible::new))
    }

    /// A visible document.
    pub async fn governing_document(&self, id: i64) -> ApiResult<Option<Visible<Document>>> {
        self.reader()?;
        Ok(self
            .visible_documents()
            .filter(governing_document::Column::Id.eq(id))
            .one(self.db())
            .await?
            .map(Visible::new))
    }

    async fn insert_document(
        &self,
        tx: &mut WriteTx<'_>,
        grant: &crate::service::Grant,
        spec: DocumentSpec,
        replaces: Option<i64>,
    ) -> ApiResult<Document> {
        let me = tx.principal();
        let now = Utc::now();
        let kind = required("kind", spec.kind)?;
        let decided_on = required("decidedOn", spec.decided_on)?;
        required("adoptingBody", spec.adopting_body.as_ref())?;
        let body_kind = required("bodyKind", spec.body_kind)?;
        required("title", spec.title.as_ref())?;
        let mut d = Document {
            id: 0,
            owner_id: me.municipality_id,
            county_id: me.county_id,
            kind,
            title: String::new(),
            adopting_body: String::new(),
            body_kind,
            decided_on,
            diarienummer: String::new(),
            next_review: None,
            link: None,
            visibility: Visibility::County,
            replaces_id: replaces,
            replaced_by_id: None,
            replaced_on: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        apply(&mut d, spec)?;
        let row = governing_document::ActiveModel {
            owner_id: Set(d.owner_id),
            county_id: Set(d.county_id),
            kind: Set(d.kind),
            title: Set(d.title),
            adopting_body: Set(d.adopting_body),
            body_kind: Set(d.body_kind),
            decided_on: Set(d.decided_on),
            diarienummer: Set(d.diarienummer),
            next_review: Set(d.next_review),
            link: Set(d.link),
            visibility: Set(d.visibility),
            replaces_id: Set(d.replaces_id),
            replaced_by_id: Set(None),
            replaced_on: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        let d = tx.insert(grant, row).await?;
        tx.within(Parent::GoverningDocument(d.id));
        Ok(d)
    }

    /// Records a document the caller's kommun adopted.
    pub async fn create_governing_document(&self, spec: DocumentSpec) -> ApiResult<Visible<Document>> {
        self.refuse_early(Action::Create)?;
        let mut tx = self.write("createGoverningDocument").await?;
        let grant = tx.authorize(Action::Create, Standing::default())?;
        let d = self.insert_document(&mut tx, &grant, spec, None).await?;
        tx.commit().await?;
        Ok(Visible::new(d))
    }

    /// Corrects a document of the caller's kommun; `CONFLICT` on a stale version.
    pub async fn update_governing_document(
        &self,
        id: i64,
        version: i32,
        spec: DocumentSpec,
    ) -> ApiResult<Visible<Document>> {
        let mut tx = self.write("updateGoverningDocument").await?;
        let (before, grant) = self
            .changeable::<Document>(&tx, id, Action::Change)
            .await?
            .into_parts();
        let mut after = before.clone();
        apply(&mut after, spec)?;
        if after.replaced_on.is_some_and(|r| r < after.decided_on) {
            return Err(ApiError::input(
                "decidedOn",
                "decidedOn must not be after the decision that replaced the document",
            ));
        }
        let after = tx.save(&grant, &before, after, version).await?;
        tx.commit().await?;
        Ok(Visible::new(after))
    }

    /// Adopts `spec` in place of document `id`: the old one stays on record, in force until the
    /// new one's decision date.
    pub async fn replace_governing_document(
        &self,
        id: i64,
        version: i32,
        mut spec: DocumentSpec,
    ) -> ApiResult<(Visible<Document>, Visible<Document>)> {
        let mut tx = self.write("replaceGoverningDocument").await?;
        let (old, grant) = self
            .changeable::<Document>(&tx, id, Action::Change)
            .await?
            .into_parts();
        if old.replaced_by_id.is_some() {
            return Err(ApiError::input("id", "the document has already been replaced"));
        }
        let decided_on = required("document.decidedOn", spec.decided_on)?;
        if decided_on < old.decided_on {
            return Err(ApiError::input(
                "document.decidedOn",
                "the replacement's decidedOn must not be before the replaced document's",
            ));
        }
        spec.kind.get_or_insert(old.kind);
        spec.visibility.get_or_insert(old.visibility);
        let new = self.insert_document(&mut tx, &grant, spec, Some(old.id)).await?;
        let mut after = old.clone();
        after.replaced_by_id = Some(new.id);
        after.replaced_on = Some(decided_on);
        let old = tx.save(&grant, &old, after, version).await?;
        tx.commit().await?;
        Ok((Visible::new(old), Visible::new(new)))
    }
}

impl Guarded for Document {
    const MISSING: &'static str = "no governing document with that id";

    async fn load(scope: &Scope<'_>, tx: &WriteTx<'_>, id: i64) -> ApiResult<Option<Self>> {
        Ok(scope
            .readiness()
            .visible_documents()
            .filter(governing_document::Column::Id.eq(id))
            .one(tx.conn())
            .await?)
    }

    fn parent(&self) -> Parent {
        Parent::GoverningDocument(self.id)
    }

    async fn standing(&self, _: &Scope<'_>, tx: &WriteTx<'_>, _: Action) -> ApiResult<Standing> {
        Ok(Standing {
            owner: self.owner_id == tx.principal().municipality_id,
            ..Default::default()
        })
    }
}
