//! The help-desk queue: tickets filed from "Still stuck?", with their step context, worked by agents:
//! reply, note, assign, change status or priority, escalate through the tiers, with SLA due times.

use actix_web::{HttpResponse, get, patch, post, web};
use cairn_shared::api::{
    Escalation, ExternalRef, NewEntry, SlaStatus, TicketDetail, TicketEntry, TicketUpdate,
    TicketView,
};
use cairn_shared::helpdesk::{MAX_TIER, default_sla};
use cairn_shared::tickets::TicketStatus;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::roles::Permission;
use crate::startup::AppState;
use crate::store::{self, tickets::TicketRow};

/// The longest reply or note.
const MAX_ENTRY_CHARS: usize = 10_000;

pub fn sla(t: &TicketRow, now: i64) -> SlaStatus {
    SlaStatus {
        first_response_due: t.first_response_due,
        resolution_due: t.resolution_due,
        first_responded_at: t.first_responded_at,
        resolved_at: t.resolved_at,
        response_breached: t
            .first_responded_at
            .map_or(now > t.first_response_due, |at| at > t.first_response_due),
        resolution_breached: match t.resolved_at {
            Some(at) => at > t.resolution_due,
            None => t.status.is_active() && now > t.resolution_due,
        },
    }
}

pub fn view(t: TicketRow, now: i64) -> TicketView {
    let sla = sla(&t, now);
    TicketView {
        id: t.id,
        number: t.number,
        status: t.status,
        message: t.message,
        app_id: t.app_id,
        app_name: t.app_name,
        context: t.context,
        created_at: t.created_at,
        category: t.category,
        impact: t.impact,
        urgency: t.urgency,
        priority: t.priority,
        owner: t.owner,
        tier: t.tier,
        sla,
        external: Vec::new(),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct QueueFilter {
    /// `new`, `open`, `pending`, `resolved` or `closed`.
    pub status: Option<String>,
    /// 1 to 4.
    pub priority: Option<u8>,
    /// 1 to 4.
    pub tier: Option<u8>,
    /// Owner's email; `me` for the caller.
    pub owner: Option<String>,
    /// Only tickets past a response or resolution target.
    pub breached: Option<bool>,
}

/// The organisation's tickets, newest first, filtered.
#[utoipa::path(tag = "tickets", params(QueueFilter), responses((status = 200, body = [TicketView]), (status = 401, body = cairn_shared::api::ErrorBody)))]
#[get("/tickets")]
pub async fn list_tickets(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<QueueFilter>,
) -> Result<web::Json<Vec<TicketView>>, ApiError> {
    user.require(Permission::ReadTickets)?;
    let q = query.into_inner();
    let status = match q.status.as_deref() {
        Some(s) => Some(
            TicketStatus::parse(s)
                .ok_or_else(|| ApiError::BadRequest(format!("unknown status {s:?}")))?,
        ),
        None => None,
    };
    let owner_email = q
        .owner
        .map(|o| if o == "me" { user.email.clone() } else { o });
    let filter = store::tickets::Filter {
        status,
        priority: q.priority,
        tier: q.tier,
        owner_email,
        requester_id: None,
    };
    let now = state.clock.now_ms();
    let rows = store::tickets::list(&state.db, &user.org_id, &filter).await?;
    let views = rows.into_iter().map(|t| view(t, now));
    Ok(web::Json(match q.breached {
        Some(b) => views
            .filter(|v| (v.sla.response_breached || v.sla.resolution_breached) == b)
            .collect(),
        None => views.collect(),
    }))
}

async fn detail(state: &AppState, user: &CurrentUser, id: &str) -> Result<TicketDetail, ApiError> {
    let row = store::tickets::get(&state.db, &user.org_id, id)
        .await?
        .ok_or(ApiError::NotFound("ticket"))?;
    let entries = store::tickets::entries(&state.db, &user.org_id, id, false).await?;
    let mut ticket = view(row, state.clock.now_ms());
    ticket.external = external_refs(state, &user.org_id, id).await?;
    Ok(TicketDetail { ticket, entries })
}

/// The ticket's counterparts created by connectors.
pub async fn external_refs(
    state: &AppState,
    org_id: &str,
    ticket_id: &str,
) -> Result<Vec<ExternalRef>, ApiError> {
    let integrations = store::outbox::list_integrations(&state.db, org_id).await?;
    let deliveries = store::outbox::deliveries(&state.db, org_id, Some(ticket_id), 50).await?;
    Ok(deliveries
        .into_iter()
        .filter(|d| {
            d.status == "delivered" && (d.external_id.is_some() || d.external_url.is_some())
        })
        .map(|d| {
            let i = integrations.iter().find(|i| i.id == d.integration_id);
            ExternalRef {
                kind: i.map(|i| i.kind.as_str().to_string()).unwrap_or_default(),
                integration: i.map(|i| i.name.clone()).unwrap_or_default(),
                id: d.external_id,
                url: d.external_url,
            }
        })
        .collect())
}

/// One ticket with its full context, conversation and audit trail.
#[utoipa::path(tag = "tickets", responses((status = 200, body = TicketDetail), (status = 404, body = cairn_shared::api::ErrorBody)))]
#[get("/tickets/{id}")]
pub async fn get_ticket(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
) -> Result<web::Json<TicketDetail>, ApiError> {
    user.require(Permission::ReadTickets)?;
    Ok(web::Json(detail(&state, &user, &id).await?))
}

/// Changes status, owner, priority or category; each change is recorded.
#[utoipa::path(tag = "tickets", request_body = TicketUpdate, responses((status = 200, body = TicketDetail),
    (status = 404, body = cairn_shared::api::ErrorBody), (status = 409, body = cairn_shared::api::ErrorBody),
    (status = 422, body = cairn_shared::api::ErrorBody)))]
#[patch("/tickets/{id}")]
pub async fn update_ticket(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
    body: web::Json<TicketUpdate>,
) -> Result<web::Json<TicketDetail>, ApiError> {
    user.require(Permission::WorkTickets)?;
    let now = state.clock.now_ms();
    let t = store::tickets::get(&state.db, &user.org_id, &id)
        .await?
        .ok_or(ApiError::NotFound("ticket"))?;
    let u = body.into_inner();
    let mut change = store::tickets::Change::default();
    let mut log: Vec<(&str, String)> = Vec::new();
    if let Some(next) = u.status
        && next != t.status
    {
        if !t.status.can_become(next) {
            return Err(ApiError::Conflict(format!(
                "a {} ticket cannot become {}",
                t.status.as_str(),
                next.as_str()
            )));
        }
        change.status = Some(next);
        change.resolved_at = match next {
            TicketStatus::Resolved | TicketStatus::Closed => {
                Some(Some(t.resolved_at.unwrap_or(now)))
            }
            _ => Some(None),
        };
        log.push((
            "status",
            format!("{} → {}", t.status.as_str(), next.as_str()),
        ));
    }
    if let Some(owner) = u.owner {
        if owner.is_empty() {
            change.owner_id = Some(None);
            log.push(("assigned", "unassigned".into()));
        } else {
            let (owner_id, role) = store::users::by_email(&state.db, &user.org_id, &owner)
                .await?
                .ok_or_else(|| {
                    ApiError::unprocessable(
                        "no such user in this organisation",
                        json!({ "pointer": "/owner" }),
                    )
                })?;
            if !role.allows(Permission::WorkTickets) {
                return Err(ApiError::unprocessable(
                    format!("{owner} is an {role} and cannot work tickets"),
                    json!({ "pointer": "/owner" }),
                ));
            }
            change.owner_id = Some(Some(owner_id));
            log.push(("assigned", format!("assigned to {owner}")));
        }
    }
    if let Some(p) = u.priority {
        if !(1..=4).contains(&p) {
            return Err(ApiError::unprocessable(
                "priority is 1 to 4",
                json!({ "pointer": "/priority" }),
            ));
        }
        if p != t.priority {
            change.priority = Some(p);
            log.push(("priority", format!("P{} → P{p}", t.priority)));
        }
    }
    if let Some(c) = u.category {
        change.category = Some(c.trim().to_string());
        log.push(("category", format!("category: {}", c.trim())));
    }
    store::tickets::apply(&state.db, &user.org_id, &id, &change, now).await?;
    for (kind, body) in log {
        store::tickets::add_entry(
            &state.db,
            &user.org_id,
            &id,
            kind,
            Some(&user.id),
            &body,
            true,
            now,
        )
        .await?;
    }
    Ok(web::Json(detail(&state, &user, &id).await?))
}

/// A public reply (the employee sees it in the overlay) or an internal note.
#[utoipa::path(tag = "tickets", request_body = NewEntry, responses((status = 201, body = TicketEntry),
    (status = 404, body = cairn_shared::api::ErrorBody), (status = 422, body = cairn_shared::api::ErrorBody)))]
#[post("/tickets/{id}/entries")]
pub async fn add_entry(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
    body: web::Json<NewEntry>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::WorkTickets)?;
    let now = state.clock.now_ms();
    let t = store::tickets::get(&state.db, &user.org_id, &id)
        .await?
        .ok_or(ApiError::NotFound("ticket"))?;
    let text = body.body.trim();
    if text.is_empty() || text.chars().count() > MAX_ENTRY_CHARS {
        return Err(ApiError::unprocessable(
            format!("write 1 to {MAX_ENTRY_CHARS} characters"),
            json!({ "errors": [{ "pointer": "/body", "message": "empty or too long" }] }),
        ));
    }
    let kind = if body.internal { "note" } else { "reply" };
    let entry_id = store::tickets::add_entry(
        &state.db,
        &user.org_id,
        &id,
        kind,
        Some(&user.id),
        text,
        body.internal,
        now,
    )
    .await?;
    if !body.internal {
        // The first public answer stops the response clock and opens a new ticket.
        let change = store::tickets::Change {
            first_responded_at: Some(now),
            status: (t.status == TicketStatus::New).then_some(TicketStatus::Open),
            ..Default::default()
        };
        store::tickets::apply(&state.db, &user.org_id, &id, &change, now).await?;
    }
    Ok(HttpResponse::Created().json(TicketEntry {
        id: entry_id,
        kind: kind.into(),
        author: Some(user.email.clone()),
        body: text.into(),
        internal: body.internal,
        created_at: now,
    }))
}

/// Moves a ticket up a tier (L1 → L4) with a note saying why.
#[utoipa::path(tag = "tickets", request_body = Escalation, responses((status = 200, body = TicketDetail),
    (status = 404, body = cairn_shared::api::ErrorBody), (status = 422, body = cairn_shared::api::ErrorBody)))]
#[post("/tickets/{id}/escalate")]
pub async fn escalate(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
    body: web::Json<Escalation>,
) -> Result<web::Json<TicketDetail>, ApiError> {
    user.require(Permission::WorkTickets)?;
    let now = state.clock.now_ms();
    let t = store::tickets::get(&state.db, &user.org_id, &id)
        .await?
        .ok_or(ApiError::NotFound("ticket"))?;
    let mut errors = Vec::new();
    if body.tier <= t.tier || body.tier > MAX_TIER {
        errors.push(json!({ "pointer": "/tier", "message": format!("escalate above L{} and at most to L{MAX_TIER}", t.tier) }));
    }
    if body.note.trim().is_empty() {
        errors.push(json!({ "pointer": "/note", "message": "say why it goes up a tier" }));
    }
    if !errors.is_empty() {
        return Err(ApiError::unprocessable(
            "the escalation is incomplete",
            json!({ "errors": errors }),
        ));
    }
    let change = store::tickets::Change {
        tier: Some(body.tier),
        ..Default::default()
    };
    store::tickets::apply(&state.db, &user.org_id, &id, &change, now).await?;
    let note = format!("L{} → L{}: {}", t.tier, body.tier, body.note.trim());
    store::tickets::add_entry(
        &state.db,
        &user.org_id,
        &id,
        "escalated",
        Some(&user.id),
        &note,
        true,
        now,
    )
    .await?;
    Ok(web::Json(detail(&state, &user, &id).await?))
}

/// Default SLA targets per priority, for the editor to show.
#[utoipa::path(tag = "tickets", responses((status = 200, description = "Targets in minutes per priority 1–4")))]
#[get("/tickets/sla-policy")]
pub async fn sla_policy(user: CurrentUser) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ReadTickets)?;
    Ok(HttpResponse::Ok().json(
        (1..=4)
            .map(|p| json!({ "priority": p, "targets": default_sla(p) }))
            .collect::<Vec<_>>(),
    ))
}
