//! Relay's `Node` interface and the `node`/`nodes` lookups, through the same visibility rule
//! as every other read.
use crate::domain::RecordKind;
use async_graphql::{Context, ErrorExtensions, ID, Interface, Object, Result};

use super::{
    catalogue::PublishedEService,
    ids,
    initiatives::VendorInitiative,
    inventory::{Product, SystemInstance, Vendor},
    projects::{Decision, EServiceProject, Participation, StatusReport},
    reference::{County, Municipality},
    scope,
    sourcing::{SourcingEvaluation, SourcingOption},
};
use crate::error::{ApiError, ApiResult};

/// Any record with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    County(County),
    Municipality(Municipality),
    EServiceProject(EServiceProject),
    Participation(Participation),
    Decision(Decision),
    StatusReport(StatusReport),
    SourcingEvaluation(SourcingEvaluation),
    SourcingOption(SourcingOption),
    SystemInstance(SystemInstance),
    Vendor(Vendor),
    Product(Product),
    VendorInitiative(VendorInitiative),
    PublishedEService(PublishedEService),
}

fn not_found() -> ApiError {
    ApiError::NotFound("no record with that id".into())
}

async fn resolve(ctx: &Context<'_>, id: &ID) -> ApiResult<Node> {
    let (kind, n) =
        ids::decode_any(id).ok_or_else(|| ApiError::input("id", "is not an id this service handed out"))?;
    let s = scope(ctx);
    let node = match kind {
        RecordKind::PublishedEService => s
            .publishing()
            .published_eservice(n)
            .await?
            .map(|e| Node::PublishedEService(PublishedEService(e))),
        _ if s.caller().principal().is_none() => return Err(not_found()),
        _ if s.reader().is_err() => return Err(s.reader().err().unwrap_or_else(not_found)),
        RecordKind::County => s
            .reference()
            .county(n as i32)
            .cloned()
            .map(|c| Node::County(County(c))),
        RecordKind::Municipality => s
            .reference()
            .municipality(n as i32)
            .cloned()
            .map(|m| Node::Municipality(Municipality(m))),
        RecordKind::EServiceProject => match s.projects().project(n).await {
            Ok(p) => Some(Node::EServiceProject(EServiceProject(p))),
            Err(ApiError::NotFound(_)) => None,
            Err(e) => return Err(e),
        },
        RecordKind::SourcingEvaluation => match s.sourcing().evaluation(n).await {
            Ok(e) => Some(Node::SourcingEvaluation(SourcingEvaluation(e))),
            Err(ApiError::NotFound(_)) => None,
            Err(e) => return Err(e),
        },
        RecordKind::SourcingOption => s
            .sourcing()
            .sourcing_option(n)
            .await?
            .map(|o| Node::SourcingOption(SourcingOption(o))),
        RecordKind::SystemInstance => s
            .inventory()
            .system_instance(n)
            .await?
            .map(|i| Node::SystemInstance(SystemInstance(i))),
        RecordKind::VendorInitiative => s
            .influence()
            .initiative(n)
            .await?
            .map(|i| Node::VendorInitiative(VendorInitiative(i))),
        RecordKind::Vendor => s.inventory().vendor(n).await?.map(|v| Node::Vendor(Vendor(v))),
        RecordKind::Product => s
            .inventory()
            .products_by_ids(&[n])
            .await?
            .pop()
            .map(|p| Node::Product(Product(p))),
        RecordKind::Participation => s
            .projects()
            .participation(n)
            .await?
            .map(|p| Node::Participation(Participation(p))),
        RecordKind::Decision => s
            .projects()
            .decision(n)
            .await?
            .map(|d| Node::Decision(Decision(d))),
        RecordKind::StatusReport => s
            .projects()
            .status_report(n)
            .await?
            .map(|r| Node::StatusReport(StatusReport(r))),
        _ => None,
    };
    node.ok_or_else(not_found)
}

/// `node` and `nodes`.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The record with this global id; NOT_FOUND if it does not exist or the caller may not
    /// see it.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Node> {
        Ok(resolve(ctx, &id).await?)
    }

    /// Several records by global id (at most 100); an id that cannot be resolved gives null
    /// in its place and a NOT_FOUND error with its index.
    #[graphql(complexity = "ids.len() * child_complexity + 1")]
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>> {
        if ids.len() > 100 {
            return Err(ApiError::input("ids", "at most 100 ids").into());
        }
        let mut out = Vec::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            match resolve(ctx, id).await {
                Ok(n) => out.push(Some(n)),
                Err(e) => {
                    let err: async_graphql::Error = e.into();
                    let err = err.extend_with(|_, ext| ext.set("index", i as i64));
                    ctx.add_error(err.into_server_error(ctx.item.pos));
                    out.push(None);
                }
            }
        }
        Ok(out)
    }
}
