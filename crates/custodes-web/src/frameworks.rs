//! The framework browser: the built-in and imported assessment frameworks, their characteristics,
//! indicators, anchored levels and tags. Frameworks are public.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use custodes_core::framework::{NodeKind, ScaleKind, ValidFramework};

use crate::auth::Visitor;
use crate::chrome::Chrome;
use crate::{AppState, WebError};

/// Every built-in framework, read and checked. They are checked by the test suite, so a
/// broken one here is a defect and is left out rather than shown half.
pub(crate) fn built_in() -> Vec<ValidFramework> {
    custodes_formats::builtin::FRAMEWORKS
        .iter()
        .filter_map(|b| custodes_formats::framework::read(b.file, b.text).ok())
        .collect()
}

/// A framework in the list.
pub(crate) struct FrameworkRow {
    id: String,
    name: String,
    version: String,
    characteristics: usize,
    indicators: usize,
    /// "Built in", or when it was imported.
    origin: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "frameworks/list.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    rows: Vec<FrameworkRow>,
}

/// `GET /frameworks`: the built-in frameworks and those imported into the instance.
pub(crate) async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<ListPage, WebError> {
    let mut rows = Vec::new();
    for entry in state.store.frameworks().await? {
        let f = state.store.framework(&entry.key, &entry.version).await?;
        rows.push(FrameworkRow {
            id: entry.key,
            name: entry.name,
            version: entry.version,
            characteristics: f
                .roots()
                .first()
                .map_or(0, |r| f.children(r.id.as_str()).len()),
            indicators: f.indicators().count(),
            origin: match entry.imported_at {
                Some(at) => format!("Imported {}", at.get(..10).unwrap_or(&at)),
                None => "Built in".into(),
            },
        });
    }
    Ok(ListPage {
        chrome: Chrome::new(&state, &visitor, "/frameworks").await,
        rows,
    })
}

/// Which version of a framework to show.
#[derive(serde::Deserialize)]
pub(crate) struct VersionQuery {
    version: Option<String>,
}

/// An indicator as the browser shows it.
pub(crate) struct IndicatorView {
    id: String,
    title: String,
    question: String,
    guidance: String,
    anchors: Vec<(String, String)>,
    tags: Vec<String>,
}

/// A grouping node with its indicators.
pub(crate) struct SectionView {
    id: String,
    title: String,
    rule: String,
    indicators: Vec<IndicatorView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "frameworks/show.html")]
pub(crate) struct ShowPage {
    chrome: Chrome,
    name: String,
    version: String,
    rule: String,
    sections: Vec<SectionView>,
}

fn rule_of(f: &ValidFramework, id: &str) -> String {
    match f.node(id).map(|n| &n.kind) {
        Some(NodeKind::Group(g)) => {
            let mut s = format!("{:?}", g.aggregation).to_lowercase();
            s = match s.as_str() {
                "mean" => "the mean of its parts".into(),
                "weightedmean" => "the weighted mean of its parts".into(),
                "minimum" => "the lowest of its parts (weakest link)".into(),
                "sumofmaximum" => "the sum of its parts as a percentage of their maximum".into(),
                _ => s,
            };
            if let Some(r) = g.rounding {
                s.push_str(&format!(", rounded to {} decimals", r.decimals));
            }
            if let Some(b) = &g.bands {
                let mut bands = b.bands.clone();
                bands.sort_by_key(|x| std::cmp::Reverse(x.min));
                let list: Vec<String> = bands
                    .iter()
                    .map(|x| format!("{} from {}", x.label, x.min))
                    .collect();
                s.push_str(&format!("; bands: {}", list.join(", ")));
            }
            s
        }
        _ => String::new(),
    }
}

/// `GET /frameworks/{id}[?version=V]`.
pub(crate) async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<VersionQuery>,
) -> Result<ShowPage, WebError> {
    // The version asked for, or the newest one.
    let version = match query.version {
        Some(v) => v,
        None => state
            .store
            .frameworks()
            .await?
            .into_iter()
            .filter(|e| e.key == id)
            .map(|e| e.version)
            .max()
            .ok_or(WebError::NotFound)?,
    };
    let f = &state.store.framework(&id, &version).await?;
    let fw = f.framework();
    let root = f
        .roots()
        .first()
        .map(|r| r.id.as_str().to_owned())
        .unwrap_or_default();
    let mut sections = Vec::new();
    for c in f.children(&root) {
        let mut indicators = Vec::new();
        for n in f.children(c.id.as_str()) {
            let Some(ind) = n.as_indicator() else {
                continue;
            };
            let anchors = fw
                .scales
                .iter()
                .find(|s| s.id == ind.scale)
                .map(|s| match &s.kind {
                    ScaleKind::Numeric { levels } => levels
                        .iter()
                        .map(|l| (l.value.to_string(), l.descriptor.clone()))
                        .collect(),
                    ScaleKind::Ordinal { grades, .. } => grades
                        .iter()
                        .map(|g| (g.id.as_str().to_owned(), g.descriptor.clone()))
                        .collect(),
                })
                .unwrap_or_default();
            let t = &ind.tags;
            let mut tags: Vec<String> = Vec::new();
            if let Some(s) = t.standing {
                tags.push(s.label().to_owned());
            }
            tags.extend(
                t.deficit_sources
                    .iter()
                    .map(|d| format!("Deficit: {}", d.label())),
            );
            tags.extend(
                t.reform_fields
                    .iter()
                    .map(|r| format!("Reform field: {}", r.label())),
            );
            tags.extend(t.actor_kinds.iter().map(|k| k.label().to_owned()));
            indicators.push(IndicatorView {
                id: n.id.as_str().to_owned(),
                title: n.title.clone(),
                question: ind.question.clone(),
                guidance: ind.guidance.clone(),
                anchors,
                tags,
            });
        }
        sections.push(SectionView {
            id: c.id.as_str().to_owned(),
            title: c.title.clone(),
            rule: rule_of(f, c.id.as_str()),
            indicators,
        });
    }
    Ok(ShowPage {
        chrome: Chrome::new(&state, &visitor, "/frameworks").await,
        name: fw.name.clone(),
        version: fw.version.clone(),
        rule: rule_of(f, &root),
        sections,
    })
}
