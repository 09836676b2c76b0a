//! The Fatherland Front's moderation pages: the queue (filters, counts per state, flagged spans
//! highlighted, near-duplicate groups, bulk decisions) and the review page of one comment
//! (approve with redactions, reject with a reason, ask for an edit, merge into a campaign).
//! After a decision the moderator goes straight to the next pending comment, so a long queue
//! is cleared without going back and forth. The JSON equivalent is `http::api::moderation`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use entity::enums::{CommentStatus, Decision};
use entity::{comment_flags, consultations};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::Error;
use crate::http::api::moderation::parse_status;
use crate::http::csrf::{CsrfForm, see_other};
use crate::http::pages::access::{ModeratorPage, encode_query_value};
use crate::http::pages::forms::FormErrors;
use crate::http::pages::{Layout, date_vn, render};
use crate::http::problem::PageError;
use crate::i18n::Tr;
use crate::services::moderation::{
    self, AuthorKind, DecisionRequest, QueueFilter, QueueItem, REJECT_REASONS, StateCounts,
};
use crate::state::AppState;

/// Rows per page of the queue.
pub const PER_PAGE: u64 = 50;

/// Filters of the queue page, from the query string. Unknown values are ignored.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct QueueParams {
    /// Status code (default pending).
    #[serde(default)]
    pub status: String,
    /// Consultation id.
    #[serde(default)]
    pub consultation: String,
    /// Flag filter.
    #[serde(default)]
    pub flag: String,
    /// Author kind.
    #[serde(default)]
    pub author: String,
    /// Near-duplicate group of this comment.
    #[serde(default)]
    pub group: String,
    /// Page, from 1.
    #[serde(default)]
    pub page: String,
    /// Why the last bulk action did nothing (`none_selected`, `reason`).
    #[serde(default)]
    pub error: String,
}

impl QueueParams {
    fn page_number(&self) -> u64 {
        self.page
            .trim()
            .parse()
            .ok()
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    }

    fn filter(&self) -> QueueFilter {
        QueueFilter {
            status: parse_status(self.status.trim()),
            consultation_id: Uuid::parse_str(self.consultation.trim()).ok(),
            clause_id: None,
            unit_id: None,
            flag: Some(self.flag.trim().to_owned()).filter(|f| moderation::is_known_flag(f)),
            author_kind: AuthorKind::parse(self.author.trim()),
            group_of: Uuid::parse_str(self.group.trim()).ok(),
        }
    }

    /// The queue with these filters at `page`, with a notice.
    fn href(&self, page: u64, notice: Option<&str>) -> String {
        let mut href = format!("/moderation?page={page}");
        for (key, value) in [
            ("status", self.status.trim()),
            ("consultation", self.consultation.trim()),
            ("flag", self.flag.trim()),
            ("author", self.author.trim()),
            ("group", self.group.trim()),
        ] {
            if !value.is_empty() {
                href.push_str(&format!("&{key}={}", encode_query_value(value)));
            }
        }
        if let Some(notice) = notice {
            href.push_str(&format!("&notice={notice}"));
        }
        href
    }

    /// The same filters with another status, from page 1.
    fn with_status(&self, status: &str) -> String {
        Self {
            status: status.to_owned(),
            page: String::new(),
            error: String::new(),
            ..self.clone()
        }
        .href(1, None)
    }
}

/// A piece of a comment's text: plain, or a flagged span.
#[derive(Debug, Clone)]
pub struct Segment {
    /// The text.
    pub text: String,
    /// Flag kind when the span was flagged.
    pub kind: Option<String>,
    /// Translated label of the flag.
    pub label: &'static str,
}

/// Splits `body` into plain and flagged pieces (flags are in characters, sorted; overlapping
/// parts are shown once).
pub fn segments(body: &str, flags: &[comment_flags::Model], t: Tr) -> Vec<Segment> {
    let chars: Vec<char> = body.chars().collect();
    let mut out = Vec::new();
    let mut at = 0usize;
    for flag in flags {
        let start = usize::try_from(flag.start_char).unwrap_or(0).max(at);
        let end = usize::try_from(flag.end_char).unwrap_or(0).min(chars.len());
        if start >= end {
            continue;
        }
        if at < start {
            out.push(Segment {
                text: chars[at..start].iter().collect(),
                kind: None,
                label: "",
            });
        }
        out.push(Segment {
            text: chars[start..end].iter().collect(),
            kind: Some(flag.kind.clone()),
            label: t.get(&format!("flag.{}", flag.kind)),
        });
        at = end;
    }
    if at < chars.len() {
        out.push(Segment {
            text: chars[at..].iter().collect(),
            kind: None,
            label: "",
        });
    }
    out
}

/// One flag as a tag.
#[derive(Debug, Clone)]
pub struct FlagTag {
    /// Kind code.
    pub kind: String,
    /// Translated label.
    pub label: &'static str,
}

/// One row of the queue.
#[derive(Debug, Clone)]
pub struct Row {
    /// Comment id.
    pub id: String,
    /// Tracking code.
    pub code: String,
    /// Submission date.
    pub created: String,
    /// Consultation title.
    pub consultation: String,
    /// Clause label.
    pub clause: Option<String>,
    /// Author.
    pub author: String,
    /// Translated author kind.
    pub author_kind: &'static str,
    /// Translated stance.
    pub stance: &'static str,
    /// Text with flagged spans.
    pub segments: Vec<Segment>,
    /// Distinct flags.
    pub tags: Vec<FlagTag>,
    /// Size of its near-duplicate group, and the link to it.
    pub group: Option<(usize, String)>,
    /// Whether it is still pending (and can be selected).
    pub pending: bool,
}

fn row(item: &QueueItem, t: Tr, params: &QueueParams) -> Row {
    let c = &item.comment;
    let mut tags: Vec<FlagTag> = Vec::new();
    for flag in &item.flags {
        if !tags.iter().any(|tag| tag.kind == flag.kind) {
            tags.push(FlagTag {
                kind: flag.kind.clone(),
                label: t.get(&format!("flag.{}", flag.kind)),
            });
        }
    }
    Row {
        id: c.id.to_string(),
        code: c.tracking_code.clone(),
        created: date_vn(c.created_at),
        consultation: item.consultation_title.clone(),
        clause: item.clause_label.clone(),
        author: item.author_label.clone(),
        author_kind: t.get(&format!(
            "author_kind.{}",
            author_kind_code(item.author_kind)
        )),
        stance: t.get(&format!("stance.{}", c.stance.as_str())),
        segments: segments(&c.body, &item.flags, t),
        tags,
        group: item.group.map(|g| {
            let href = QueueParams {
                group: c.id.to_string(),
                page: String::new(),
                flag: String::new(),
                error: String::new(),
                ..params.clone()
            }
            .href(1, None);
            (g.size, href)
        }),
        pending: c.status == CommentStatus::Pending,
    }
}

fn author_kind_code(kind: AuthorKind) -> &'static str {
    match kind {
        AuthorKind::Resident => "resident",
        AuthorKind::Organization => "organization",
        AuthorKind::Imported => "imported",
    }
}

/// A tab of the counts per state.
#[derive(Debug, Clone)]
pub struct StateTab {
    /// Status code.
    pub code: &'static str,
    /// Label.
    pub label: &'static str,
    /// Count.
    pub count: u64,
    /// Link.
    pub href: String,
    /// Whether it is the status shown.
    pub current: bool,
}

fn tabs(counts: StateCounts, params: &QueueParams, t: Tr) -> Vec<StateTab> {
    let current = parse_status(params.status.trim()).unwrap_or(CommentStatus::Pending);
    [
        (CommentStatus::Pending, counts.pending),
        (CommentStatus::EditRequested, counts.edit_requested),
        (CommentStatus::Approved, counts.approved),
        (CommentStatus::Rejected, counts.rejected),
    ]
    .into_iter()
    .map(|(status, count)| StateTab {
        code: status.as_str(),
        label: t.get(&format!("comment_status.{}", status.as_str())),
        count,
        href: params.with_status(status.as_str()),
        current: status == current,
    })
    .collect()
}

/// Choices of a select: `(value, label)`.
type Options = Vec<(String, String)>;

const FLAG_FILTERS: [&str; 12] = [
    "any",
    "personal_data",
    "phone",
    "citizen_id",
    "email",
    "bank_account",
    "address",
    "abuse",
    "link",
    "repeated_characters",
    "repeated_text",
    "near_duplicate",
];

fn flag_options(t: Tr) -> Options {
    FLAG_FILTERS
        .iter()
        .map(|f| ((*f).to_owned(), t.get(&format!("flag.{f}")).to_owned()))
        .collect()
}

fn reason_options(t: Tr) -> Options {
    REJECT_REASONS
        .iter()
        .map(|r| ((*r).to_owned(), t.get(&format!("reason.{r}")).to_owned()))
        .collect()
}

/// The queue page.
#[derive(Template)]
#[template(path = "moderation_queue.html")]
pub struct QueuePage {
    /// Layout.
    pub layout: Layout,
    /// Rows of this page.
    pub rows: Vec<Row>,
    /// Filters in force.
    pub params: QueueParams,
    /// Counts per state.
    pub tabs: Vec<StateTab>,
    /// Consultations to filter on.
    pub consultations: Options,
    /// Flag filters.
    pub flags: Options,
    /// Author kinds.
    pub author_kinds: Options,
    /// Rejection reasons.
    pub reasons: Options,
    /// Rows matching.
    pub total: u64,
    /// Page number.
    pub page: u64,
    /// Pages.
    pub pages: u64,
    /// Previous page.
    pub prev_href: Option<String>,
    /// Next page.
    pub next_href: Option<String>,
    /// Whether rows can be decided (pending status).
    pub decidable: bool,
    /// The ids of the pending rows on this page, comma-separated (for "approve the page").
    pub page_ids: String,
    /// Error of the last bulk action.
    pub error: Option<&'static str>,
}

/// `GET /moderation`.
pub async fn show_queue(
    State(state): State<AppState>,
    layout: Layout,
    ModeratorPage(signed_in): ModeratorPage,
    Query(params): Query<QueueParams>,
) -> Result<Response, PageError> {
    let t = layout.t;
    let actor = signed_in.actor();
    let page = params.page_number();
    let queue = moderation::queue(&state.db, &actor, &params.filter(), page, PER_PAGE)
        .await
        .map_err(|e| layout.fail(e))?;
    let consultations = consultations::Entity::find()
        .filter(consultations::Column::Status.ne(entity::enums::ConsultationStatus::Draft))
        .order_by_desc(consultations::Column::OpensAt)
        .all(&state.db)
        .await
        .map_err(|e| layout.fail(e.into()))?
        .into_iter()
        .map(|c| (c.id.to_string(), c.title))
        .collect();
    let pages = queue.total.div_ceil(PER_PAGE).max(1);
    let rows: Vec<Row> = queue.items.iter().map(|i| row(i, t, &params)).collect();
    let page_ids = rows
        .iter()
        .filter(|r| r.pending)
        .map(|r| r.id.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let error = match params.error.as_str() {
        "none_selected" => Some(t.get("moderation.error_none_selected")),
        "reason" => Some(t.get("moderation.error_reason")),
        _ => None,
    };
    let view = QueuePage {
        layout: layout.titled(t.get("moderation.title")),
        tabs: tabs(queue.counts, &params, t),
        decidable: parse_status(params.status.trim()).unwrap_or(CommentStatus::Pending)
            == CommentStatus::Pending,
        consultations,
        flags: flag_options(t),
        author_kinds: ["resident", "organization", "imported"]
            .iter()
            .map(|k| {
                (
                    (*k).to_owned(),
                    t.get(&format!("author_kind.{k}")).to_owned(),
                )
            })
            .collect(),
        reasons: reason_options(t),
        total: queue.total,
        page,
        pages,
        prev_href: (page > 1).then(|| params.href(page.min(pages + 1) - 1, None)),
        next_href: (page < pages).then(|| params.href(page + 1, None)),
        page_ids,
        rows,
        params,
        error,
    };
    Ok(render(&view))
}

/// `POST /moderation/bulk`: the selected rows (`ids`, repeated) or the whole page (`page_ids`),
/// one decision (`decision`), with a reason for rejections.
pub async fn bulk(
    State(state): State<AppState>,
    layout: Layout,
    ModeratorPage(signed_in): ModeratorPage,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let value = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let params = QueueParams {
        status: value("status"),
        consultation: value("consultation"),
        flag: value("flag"),
        author: value("author"),
        group: value("group"),
        page: String::new(),
        error: String::new(),
    };
    let mut ids: Vec<Uuid> = pairs
        .iter()
        .filter(|(k, _)| k == "ids")
        .filter_map(|(_, v)| Uuid::parse_str(v.trim()).ok())
        .collect();
    if value("scope") == "page" {
        ids = value("page_ids")
            .split(',')
            .filter_map(|v| Uuid::parse_str(v.trim()).ok())
            .collect();
    }
    if ids.is_empty() {
        return Ok(see_other(&format!(
            "{}&error=none_selected",
            params.href(1, None)
        )));
    }
    let decision = match value("decision").as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        "merge" => Decision::Merge,
        _ => {
            return Err(layout.fail(Error::bad_request("unknown_decision", "Unknown decision.")));
        }
    };
    let mut request = DecisionRequest::new(decision);
    if decision == Decision::Reject {
        request.reason_code = Some(value("reason_code")).filter(|r| !r.is_empty());
        request.note = Some(value("note")).filter(|n| !n.is_empty());
    }
    let actor = signed_in.actor();
    match moderation::decide_many(
        &state.db,
        &actor,
        &ids,
        request,
        &state.settings.answer_working_days,
        &state.base_url,
    )
    .await
    {
        Ok(_) => {
            state.mail_queued();
            Ok(see_other(&params.href(1, Some("moderation_decided"))))
        }
        Err(Error::Invalid(_)) => Ok(see_other(&format!("{}&error=reason", params.href(1, None)))),
        Err(e) => Err(layout.fail(e)),
    }
}

/// The review page of one comment.
#[derive(Template)]
#[template(path = "moderation_review.html")]
pub struct ReviewPage {
    /// Layout.
    pub layout: Layout,
    /// The comment as a row.
    pub row: Row,
    /// Status label.
    pub status_label: &'static str,
    /// The public text as it would be published now (detected personal data hidden).
    pub preview: String,
    /// Earlier texts.
    pub revisions: Vec<String>,
    /// Decisions so far: (date, decision label, reason label, note, moderator).
    pub decisions: Vec<(String, &'static str, &'static str, String, String)>,
    /// Pending near-duplicates: (id, code).
    pub group_members: Vec<(String, String)>,
    /// All ids of the group including this one, comma-separated.
    pub group_ids: String,
    /// Campaigns to merge into.
    pub campaigns: Options,
    /// Rejection reasons.
    pub reasons: Options,
    /// Current agencies, for routing.
    pub agencies: Options,
    /// The agency the routing rules propose (id), preselected.
    pub proposed_agency: String,
    /// The form as typed after an error.
    pub form: DecisionForm,
    /// Errors of the last attempt.
    pub errors: FormErrors,
}

/// The decision form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DecisionForm {
    /// `approve`, `reject`, `request_edit`, `merge`.
    #[serde(default)]
    pub decision: String,
    /// Rejection reason.
    #[serde(default)]
    pub reason_code: String,
    /// Note to the author.
    #[serde(default)]
    pub note: String,
    /// More text to hide, one piece a line.
    #[serde(default)]
    pub redact_texts: String,
    /// Campaign id to merge into, empty for a new one.
    #[serde(default)]
    pub campaign_id: String,
    /// Label of a new campaign.
    #[serde(default)]
    pub campaign_label: String,
    /// Merge the whole near-duplicate group (comma-separated ids).
    #[serde(default)]
    pub group_ids: String,
    /// Approvals: the agency that leads the answer.
    #[serde(default)]
    pub agency_id: String,
    /// Approvals: a second agency that answers too.
    #[serde(default)]
    pub also_agency_id: String,
}

async fn review_page(
    state: &AppState,
    layout: Layout,
    actor: &crate::policy::Actor,
    id: Uuid,
    form: DecisionForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let t = layout.t;
    let review = moderation::review(&state.db, actor, id)
        .await
        .map_err(|e| layout.fail(e))?;
    let params = QueueParams::default();
    let row = row(&review.item, t, &params);
    let preview = moderation::public_text(&review.item.comment.body, &[], &[])
        .map(|(text, _)| text)
        .unwrap_or_default();
    let decisions = review
        .decisions
        .iter()
        .map(|(d, name)| {
            (
                date_vn(d.created_at),
                t.get(&format!("decision.{}", d.decision.as_str())),
                d.reason_code
                    .as_deref()
                    .map_or("", |r| t.get(&format!("reason.{r}"))),
                d.note.clone().unwrap_or_default(),
                name.clone(),
            )
        })
        .collect();
    let routing_rules = crate::services::routing::active_rules(&state.db)
        .await
        .map_err(|e| layout.fail(e))?;
    let consultation = consultations::Entity::find_by_id(review.item.comment.consultation_id)
        .one(&state.db)
        .await
        .map_err(|e| layout.fail(e.into()))?
        .ok_or_else(|| layout.fail(Error::NotFound("consultation")))?;
    let proposal = crate::services::routing::propose(
        &state.db,
        &routing_rules,
        &review.item.comment,
        &consultation,
        &state.settings.answer_working_days,
    )
    .await
    .map_err(|e| layout.fail(e))?;
    let agencies = entity::agencies::Entity::find()
        .filter(entity::agencies::Column::ValidTo.is_null())
        .order_by_asc(entity::agencies::Column::Name)
        .all(&state.db)
        .await
        .map_err(|e| layout.fail(e.into()))?
        .into_iter()
        .map(|a| (a.id.to_string(), a.name))
        .collect();
    let mut group_ids: Vec<String> = vec![id.to_string()];
    group_ids.extend(review.group_members.iter().map(|(m, _)| m.to_string()));
    let view = ReviewPage {
        status_label: t.get(&format!(
            "comment_status.{}",
            review.item.comment.status.as_str()
        )),
        layout: layout.titled_form(
            &format!("{} {}", t.get("moderation.review_title"), row.code),
            !errors.is_empty(),
        ),
        row,
        preview,
        revisions: review.revisions.into_iter().map(|r| r.body).collect(),
        decisions,
        group_members: review
            .group_members
            .into_iter()
            .map(|(m, code)| (m.to_string(), code))
            .collect(),
        group_ids: group_ids.join(","),
        campaigns: review
            .campaigns
            .into_iter()
            .map(|c| (c.id.to_string(), c.label.unwrap_or_default()))
            .collect(),
        reasons: reason_options(t),
        agencies,
        proposed_agency: if form.agency_id.is_empty() {
            proposal.agency_id.to_string()
        } else {
            form.agency_id.clone()
        },
        form,
        errors,
    };
    Ok(render(&view))
}

/// `GET /moderation/comments/{id}`.
pub async fn show_review(
    State(state): State<AppState>,
    layout: Layout,
    ModeratorPage(signed_in): ModeratorPage,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let Ok(id) = Uuid::parse_str(&id) else {
        return Err(layout.fail(Error::NotFound("comment")));
    };
    let actor = signed_in.actor();
    review_page(
        &state,
        layout,
        &actor,
        id,
        DecisionForm::default(),
        FormErrors::default(),
    )
    .await
}

/// `POST /moderation/comments/{id}`: records the decision, then opens the next pending
/// comment (or the queue when none is left).
pub async fn decide(
    State(state): State<AppState>,
    layout: Layout,
    ModeratorPage(signed_in): ModeratorPage,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, PageError> {
    let t = layout.t;
    let Ok(id) = Uuid::parse_str(&id) else {
        return Err(layout.fail(Error::NotFound("comment")));
    };
    let actor = signed_in.actor();
    let decision = match form.decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        "request_edit" => Decision::RequestEdit,
        "merge" => Decision::Merge,
        _ => {
            let mut errors = FormErrors::default();
            errors.push("decision", t.get("moderation.error_decision"));
            return review_page(&state, layout, &actor, id, form, errors).await;
        }
    };
    let optional = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    let request = DecisionRequest {
        decision,
        reason_code: (decision == Decision::Reject)
            .then(|| optional(&form.reason_code))
            .flatten(),
        note: matches!(decision, Decision::Reject | Decision::RequestEdit)
            .then(|| optional(&form.note))
            .flatten(),
        redact_ranges: Vec::new(),
        redact_texts: if matches!(decision, Decision::Approve | Decision::Merge) {
            form.redact_texts.lines().map(ToOwned::to_owned).collect()
        } else {
            Vec::new()
        },
        campaign_id: Uuid::parse_str(form.campaign_id.trim()).ok(),
        campaign_label: optional(&form.campaign_label),
        agency_ids: [form.agency_id.trim(), form.also_agency_id.trim()]
            .iter()
            .filter_map(|v| Uuid::parse_str(v).ok())
            .collect(),
    };
    let group: Vec<Uuid> = form
        .group_ids
        .split(',')
        .filter_map(|v| Uuid::parse_str(v.trim()).ok())
        .collect();
    let outcome = if decision == Decision::Merge && group.len() > 1 {
        moderation::decide_many(
            &state.db,
            &actor,
            &group,
            request,
            &state.settings.answer_working_days,
            &state.base_url,
        )
        .await
        .map(|_| ())
    } else {
        moderation::decide(
            &state.db,
            &actor,
            id,
            request,
            &state.settings.answer_working_days,
            &state.base_url,
        )
        .await
        .map(|_| ())
    };
    match outcome {
        Ok(()) => {
            state.mail_queued();
            let next = moderation::queue(&state.db, &actor, &QueueFilter::default(), 1, 1)
                .await
                .map_err(|e| layout.fail(e))?;
            Ok(match next.items.first() {
                Some(item) => see_other(&format!(
                    "/moderation/comments/{}?notice=moderation_decided",
                    item.comment.id
                )),
                None => see_other("/moderation?notice=moderation_decided"),
            })
        }
        Err(Error::Invalid(fields)) => {
            let errors = FormErrors::from_fields(t, &fields);
            review_page(&state, layout, &actor, id, form, errors).await
        }
        Err(Error::Conflict { .. }) => {
            let mut errors = FormErrors::default();
            errors.push("decision", t.get("moderation.error_not_pending"));
            review_page(&state, layout, &actor, id, form, errors).await
        }
        Err(e) => Err(layout.fail(e)),
    }
}
