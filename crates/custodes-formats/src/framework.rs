//! Framework files (TOML, `format = "custodes-framework/1"`, documented in
//! `docs/framework-format.md`): read into a checked [`ValidFramework`], or every problem
//! found, each naming file, line, column and field.

use std::collections::HashMap;
use std::ops::Range;
use std::str::FromStr;

use custodes_core::framework::{
    Aggregation, Band, Bands, Characteristic, DeficitSource, Framework, FrameworkId, Group,
    Indicator, LevelId, Node, NodeId, NodeKind, Number, NumericLevel, ReformField, Rounding,
    RoundingMode, Scale, ScaleId, ScaleKind, Standing, Tags, ValidFramework, ValueBasis,
};
use custodes_core::sector::ActorKind;
use serde::Deserialize;
use toml::{Spanned, Value};

mod fast;

use crate::diagnostic::{Diagnostic, Lines};

/// The `format` line every framework file starts with.
pub const FORMAT: &str = "custodes-framework/1";

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    format: Spanned<String>,
    framework: Spanned<Header>,
    #[serde(default)]
    scale: Vec<Spanned<ScaleDoc>>,
    #[serde(default)]
    bands: Vec<Spanned<BandsDoc>>,
    #[serde(default)]
    node: Vec<Spanned<NodeDoc>>,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    id: Spanned<String>,
    version: Spanned<String>,
    name: String,
    #[serde(default)]
    reviewers: Option<Spanned<u32>>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    source: String,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScaleDoc {
    id: Spanned<String>,
    kind: Spanned<String>,
    #[serde(default)]
    name: String,
    levels: Vec<Spanned<LevelDoc>>,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelDoc {
    id: String,
    value: Option<toml::Value>,
    #[serde(default)]
    descriptor: String,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct BandsDoc {
    id: Spanned<String>,
    #[serde(default)]
    basis: Option<Spanned<String>>,
    thresholds: Vec<Spanned<ThresholdDoc>>,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThresholdDoc {
    min: toml::Value,
    label: String,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoundingDoc {
    method: Spanned<String>,
    decimals: Spanned<i64>,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct TagsDoc {
    #[serde(default)]
    characteristic: Option<Spanned<String>>,
    #[serde(default)]
    deficits: Vec<Spanned<String>>,
    #[serde(default)]
    basis: Option<Spanned<String>>,
    #[serde(default)]
    actor_kinds: Vec<Spanned<String>>,
    #[serde(default)]
    reform_field: Option<Spanned<String>>,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeDoc {
    id: Spanned<String>,
    #[serde(default)]
    parent: Option<Spanned<String>>,
    title: String,
    // Grouping nodes.
    #[serde(default)]
    aggregation: Option<Spanned<String>>,
    #[serde(default)]
    rounding: Option<Spanned<RoundingDoc>>,
    #[serde(default)]
    bands: Option<Spanned<String>>,
    // Indicators.
    #[serde(default)]
    question: String,
    #[serde(default)]
    guidance: String,
    #[serde(default)]
    scale: Option<Spanned<String>>,
    #[serde(default)]
    weight: Option<Spanned<toml::Value>>,
    #[serde(default)]
    anchors: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    tags: Option<Spanned<TagsDoc>>,
}

/// A number from TOML (an integer or a float written in decimal).
fn number(v: &toml::Value) -> Option<Number> {
    match v {
        toml::Value::Integer(i) => Some(Number::from_int(*i)),
        toml::Value::Float(f) => Number::from_str(&format!("{f}")).ok(),
        toml::Value::String(s) => Number::from_str(s).ok(),
        _ => None,
    }
}

/// Reads a tag id written with hyphens or underscores.
fn tag_key(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace('-', "_")
}

/// The characteristic a tag names: its name, or `c1`…`c8` in the order of the seed.
fn characteristic(s: &str) -> Option<Characteristic> {
    let key = tag_key(s);
    const ORDER: [Characteristic; 8] = [
        Characteristic::SecurityStrategy,
        Characteristic::InterAgency,
        Characteristic::Intelligence,
        Characteristic::ResourcePlans,
        Characteristic::FitOrganisations,
        Characteristic::Legislation,
        Characteristic::PublicInformation,
        Characteristic::Accountability,
    ];
    if let Some(n) = key.strip_prefix('c').and_then(|n| n.parse::<usize>().ok()) {
        return ORDER.get(n.checked_sub(1)?).copied();
    }
    serde_json_like::<Characteristic>(&key)
}

/// A tag enum from its stable name, through its serde form.
fn serde_json_like<T: for<'de> Deserialize<'de>>(key: &str) -> Option<T> {
    T::deserialize(toml::Value::String(key.to_owned())).ok()
}

/// A source of deficit from its id in the taxonomy (`irrelevant-control`).
fn deficit(s: &str) -> Option<DeficitSource> {
    serde_json_like(&tag_key(s))
}

/// A reform field from its id or one of its sub-fields' ids (`field.subfield`).
fn reform_field(s: &str) -> Option<ReformField> {
    let key = tag_key(s);
    serde_json_like(key.split('.').next().unwrap_or(&key))
}

/// A level as read: its id, value and descriptor.
type LevelRow = (String, Number, String);

/// A base scale as read: its levels as declared, and the same sorted by value (the order
/// indicators' anchors follow).
struct BaseScale {
    levels: Vec<LevelRow>,
    sorted: Vec<LevelRow>,
}

/// Tags already looked up, by their text: a framework repeats a few tag values across
/// thousands of indicators.
#[derive(Default)]
struct TagCache {
    characteristics: HashMap<String, Option<Characteristic>>,
    deficits: HashMap<String, Option<DeficitSource>>,
    standings: HashMap<String, Option<Standing>>,
    actor_kinds: HashMap<String, ActorKind>,
    reform_fields: HashMap<String, Option<ReformField>>,
}

/// Looks a text up in a cache, computing and keeping its value on a miss.
fn cached<T: Clone>(cache: &mut HashMap<String, T>, key: &str, compute: impl Fn(&str) -> T) -> T {
    if let Some(v) = cache.get(key) {
        return v.clone();
    }
    let v = compute(key);
    cache.insert(key.to_owned(), v.clone());
    v
}

struct Reader<'a> {
    lines: Lines<'a>,
    problems: Vec<Diagnostic>,
    /// Whether the spans are real (the `toml` crate's parse); the fast parse has none, and
    /// its problems are never shown: the file is then read again with spans.
    exact: bool,
}

impl Reader<'_> {
    fn bad(
        &mut self,
        span: Option<Range<usize>>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) {
        let d = self.lines.at(span, field, message);
        self.problems.push(d);
    }
}

/// Reads and checks a framework file. Returns the framework, or every problem found,
/// in the order of the file.
///
/// A file in the plain subset of TOML that framework files are written in is read by a
/// fast parser without spans; any other file, and any file with a problem, is read (again)
/// by the `toml` crate with spans, so that every problem names its line and column.
pub fn read(file: &str, text: &str) -> Result<ValidFramework, Vec<Diagnostic>> {
    if let Some(doc) = fast::parse(text) {
        let mut r = Reader {
            lines: Lines::new(file, text),
            problems: Vec::new(),
            exact: false,
        };
        if let Ok(framework) = build(&mut r, doc) {
            return Ok(framework);
        }
    }
    read_exact(file, text)
}

/// Reads a framework file with the `toml` crate, keeping the span of every value.
fn read_exact(file: &str, text: &str) -> Result<ValidFramework, Vec<Diagnostic>> {
    let mut r = Reader {
        lines: Lines::new(file, text),
        problems: Vec::new(),
        exact: true,
    };
    let doc: Doc = match toml::from_str(text) {
        Ok(doc) => doc,
        Err(e) => {
            let message = e.message().trim_end_matches('.').to_owned();
            r.bad(e.span(), "", message);
            return Err(r.problems);
        }
    };
    build(&mut r, doc)
}

/// Turns a parsed document into a checked framework, or its problems.
fn build(r: &mut Reader<'_>, doc: Doc) -> Result<ValidFramework, Vec<Diagnostic>> {
    if doc.format.get_ref() != FORMAT {
        r.bad(
            Some(doc.format.span()),
            "format",
            format!("expected \"{FORMAT}\", found \"{}\"", doc.format.get_ref()),
        );
        return Err(std::mem::take(&mut r.problems));
    }
    let header = doc.framework.into_inner();
    if let Some(n) = &header.reviewers
        && *n.get_ref() == 0
    {
        r.bad(
            Some(n.span()),
            "framework.reviewers",
            "an assessment needs at least one reviewer",
        );
    }
    // Each scale's levels, by scale id.
    let mut scales: HashMap<String, BaseScale> = HashMap::with_capacity(doc.scale.len());
    let mut core_scales = Vec::with_capacity(doc.node.len() + doc.scale.len());
    for s in doc.scale {
        let s = s.into_inner();
        let id = s.id.get_ref().clone();
        if s.kind.get_ref() != "numeric" {
            r.bad(Some(s.kind.span()), format!("scale[{id}].kind"), "only numeric scales can be written in files yet (ordinal grades come with PEFA-style frameworks)");
            continue;
        }
        let mut levels = Vec::with_capacity(s.levels.len());
        for (i, l) in s.levels.into_iter().enumerate() {
            let span = l.span();
            let l = l.into_inner();
            match l.value.as_ref().and_then(number) {
                Some(v) => levels.push((l.id, v, l.descriptor)),
                None => r.bad(
                    Some(span),
                    format!("scale[{id}].levels[{i}].value"),
                    "a numeric level needs a number as its value",
                ),
            }
        }
        let mut sorted = levels.clone();
        sorted.sort_by_key(|l| l.1);
        let core_levels = levels
            .iter()
            .map(|(lid, v, d)| NumericLevel {
                id: LevelId::new(lid.clone()),
                value: *v,
                descriptor: d.clone(),
            })
            .collect();
        if scales
            .insert(id.clone(), BaseScale { levels, sorted })
            .is_some()
        {
            r.bad(
                Some(s.id.span()),
                format!("scale[{id}].id"),
                format!("scale {id} is declared more than once"),
            );
        }
        core_scales.push(Scale {
            id: ScaleId::new(id.clone()),
            name: if s.name.is_empty() { id } else { s.name },
            kind: ScaleKind::Numeric {
                levels: core_levels,
            },
            missing: Vec::new(),
        });
    }
    let mut bands: HashMap<String, Bands> = HashMap::new();
    for b in doc.bands {
        let b = b.into_inner();
        let id = b.id.into_inner();
        let basis = match b.basis.as_ref().map(|s| s.get_ref().as_str()) {
            None | Some("displayed") => ValueBasis::Displayed,
            Some("unrounded") => ValueBasis::Unrounded,
            Some(other) => {
                r.bad(
                    b.basis.as_ref().map(Spanned::span),
                    format!("bands[{id}].basis"),
                    format!("unknown basis '{other}' (expected displayed or unrounded)"),
                );
                ValueBasis::Displayed
            }
        };
        let mut list = Vec::new();
        for (i, t) in b.thresholds.into_iter().enumerate() {
            let span = t.span();
            let t = t.into_inner();
            match number(&t.min) {
                Some(min) => list.push(Band {
                    label: t.label,
                    min,
                }),
                None => r.bad(
                    Some(span),
                    format!("bands[{id}].thresholds[{i}].min"),
                    "a threshold needs a number",
                ),
            }
        }
        bands.insert(id, Bands { basis, bands: list });
    }

    let mut cache = TagCache::default();
    let mut nodes = Vec::with_capacity(doc.node.len());
    // Where each node starts, to place the problems validation finds; only with spans.
    let mut node_spans: HashMap<String, Range<usize>> = HashMap::new();
    let mut roots = 0usize;
    let mut second_root = None;
    for n in doc.node {
        let n_span = n.span();
        let n = n.into_inner();
        if n.parent.is_none() {
            roots += 1;
            if roots == 2 {
                second_root = Some(n_span.clone());
            }
        }
        let id = n.id.into_inner();
        if r.exact {
            node_spans.insert(id.clone(), n_span.clone());
        }
        let field = |name: &str| format!("node[{id}].{name}");
        let weight = match &n.weight {
            None => Number::ONE,
            Some(w) => number(w.get_ref()).unwrap_or_else(|| {
                r.bad(
                    Some(w.span()),
                    field("weight"),
                    "the weight must be a number",
                );
                Number::ONE
            }),
        };
        let kind = match (n.scale, n.aggregation) {
            (Some(_), Some(a)) => {
                r.bad(Some(a.span()), field("aggregation"), "a node is either an indicator (with a scale) or a group (with an aggregation), not both");
                continue;
            }
            (None, None) => {
                r.bad(
                    Some(n_span.clone()),
                    field("scale"),
                    "give an indicator its scale, or a group its aggregation",
                );
                continue;
            }
            (Some(scale), None) => {
                let scale_span = scale.span();
                let scale_id = scale.into_inner();
                // An indicator's anchors describe the levels of its scale in its own terms:
                // it gets a scale of its own, with the base scale's values and its anchors.
                let own = match (scales.get(&scale_id), n.anchors) {
                    (None, _) => {
                        r.bad(
                            Some(scale_span),
                            field("scale"),
                            format!("unknown scale '{scale_id}'"),
                        );
                        continue;
                    }
                    (Some(_), None) => ScaleId::new(scale_id),
                    (Some(base), Some(anchors)) => {
                        if anchors.get_ref().len() != base.levels.len() {
                            r.bad(
                                Some(anchors.span()),
                                field("anchors"),
                                format!(
                                    "scale '{scale_id}' has {} levels but {} anchors are given",
                                    base.levels.len(),
                                    anchors.get_ref().len()
                                ),
                            );
                            continue;
                        }
                        let own_id = ScaleId::new(format!("{id}/{scale_id}"));
                        core_scales.push(Scale {
                            id: own_id.clone(),
                            name: scale_id,
                            kind: ScaleKind::Numeric {
                                levels: base
                                    .sorted
                                    .iter()
                                    .zip(anchors.into_inner())
                                    .map(|((lid, v, _), anchor)| NumericLevel {
                                        id: LevelId::new(lid.as_str()),
                                        value: *v,
                                        descriptor: anchor,
                                    })
                                    .collect(),
                            },
                            missing: Vec::new(),
                        });
                        own_id
                    }
                };
                let mut tags = Tags::default();
                if let Some(t) = &n.tags {
                    let t = t.get_ref();
                    if let Some(c) = &t.characteristic {
                        match cached(&mut cache.characteristics, c.get_ref(), characteristic) {
                            Some(c) => tags.characteristics.push(c),
                            // Frameworks other than the ideal sector tag their own
                            // characteristics (g1, s1…); only the eight seed ones are kept.
                            None if c.get_ref().starts_with(|ch: char| ch.is_ascii_lowercase())
                                && c.get_ref().len() <= 4 => {}
                            None => r.bad(
                                Some(c.span()),
                                field("tags.characteristic"),
                                format!("unknown characteristic '{}'", c.get_ref()),
                            ),
                        }
                    }
                    for d in &t.deficits {
                        match cached(&mut cache.deficits, d.get_ref(), deficit) {
                            Some(x) => tags.deficit_sources.push(x),
                            None => r.bad(
                                Some(d.span()),
                                field("tags.deficits"),
                                format!("unknown source of deficit '{}'", d.get_ref()),
                            ),
                        }
                    }
                    if let Some(b) = &t.basis {
                        match cached(&mut cache.standings, b.get_ref(), |b| {
                            serde_json_like::<Standing>(&tag_key(b))
                        }) {
                            Some(s) => tags.standing = Some(s),
                            None => r.bad(
                                Some(b.span()),
                                field("tags.basis"),
                                format!(
                                    "unknown basis '{}' (expected de_jure or de_facto)",
                                    b.get_ref()
                                ),
                            ),
                        }
                    }
                    for k in &t.actor_kinds {
                        if let Some(kind) = cache.actor_kinds.get(k.get_ref().as_str()) {
                            tags.actor_kinds.push(*kind);
                            continue;
                        }
                        match k.get_ref().parse::<ActorKind>() {
                            Ok(kind) => {
                                cache.actor_kinds.insert(k.get_ref().clone(), kind);
                                tags.actor_kinds.push(kind);
                            }
                            Err(e) => {
                                r.bad(Some(k.span()), field("tags.actor_kinds"), e.to_string())
                            }
                        }
                    }
                    if let Some(f) = &t.reform_field {
                        match cached(&mut cache.reform_fields, f.get_ref(), reform_field) {
                            Some(f) => tags.reform_fields.push(f),
                            None => r.bad(
                                Some(f.span()),
                                field("tags.reform_field"),
                                format!("unknown reform field '{}'", f.get_ref()),
                            ),
                        }
                    }
                }
                NodeKind::Indicator(Indicator {
                    scale: own,
                    question: n.question,
                    guidance: n.guidance,
                    tags,
                })
            }
            (None, Some(a)) => {
                let aggregation = match a.get_ref().as_str() {
                    "mean" => Aggregation::Mean,
                    "weighted_mean" => Aggregation::WeightedMean,
                    "minimum" => Aggregation::Minimum,
                    "sum_percent" => Aggregation::SumOfMaximum,
                    "unscored" => Aggregation::Unscored,
                    other => {
                        r.bad(Some(a.span()), field("aggregation"), format!("unknown aggregation '{other}' (expected mean, weighted_mean, minimum, sum_percent or unscored)"));
                        continue;
                    }
                };
                let mut group = Group::new(aggregation);
                if let Some(ro) = &n.rounding {
                    let ro = ro.get_ref();
                    let mode = match ro.method.get_ref().as_str() {
                        "half_up" => Some(RoundingMode::HalfUp),
                        "truncate" => Some(RoundingMode::Truncate),
                        other => {
                            r.bad(Some(ro.method.span()), field("rounding.method"), format!("unknown rounding method '{other}' (expected half_up or truncate)"));
                            None
                        }
                    };
                    let decimals = u8::try_from(*ro.decimals.get_ref()).ok();
                    if decimals.is_none() {
                        r.bad(
                            Some(ro.decimals.span()),
                            field("rounding.decimals"),
                            "decimals must be 0 or more",
                        );
                    }
                    if let (Some(mode), Some(decimals)) = (mode, decimals) {
                        group.rounding = Some(Rounding { mode, decimals });
                    }
                }
                if let Some(b) = &n.bands {
                    match bands.get(b.get_ref()) {
                        Some(table) => group.bands = Some(table.clone()),
                        None => r.bad(
                            Some(b.span()),
                            field("bands"),
                            format!("unknown bands '{}'", b.get_ref()),
                        ),
                    }
                }
                NodeKind::Group(group)
            }
        };
        nodes.push(Node {
            id: NodeId::new(id),
            parent: n.parent.map(|p| NodeId::new(p.into_inner())),
            title: n.title,
            weight,
            kind,
        });
    }
    if roots != 1 {
        r.bad(
            second_root,
            "node.parent",
            format!(
                "a framework has exactly one root node (a node without a parent); this file has {roots}"
            ),
        );
    }
    if !r.problems.is_empty() {
        return Err(std::mem::take(&mut r.problems));
    }
    let framework = Framework {
        id: FrameworkId::new(header.id.into_inner()),
        version: header.version.into_inner(),
        name: header.name,
        reviewers: header.reviewers.as_ref().map_or(1, |r| *r.get_ref()),
        scales: core_scales,
        nodes,
    };
    let _ = (&header.description, &header.source);
    let exact = r.exact;
    ValidFramework::new(framework).map_err(|problems| {
        if !exact {
            return Vec::new();
        }
        problems
            .into_iter()
            .map(|p| {
                let message = p.to_string();
                // Point at the first node the problem names, else at the file.
                let span = node_spans
                    .iter()
                    .filter(|(id, _)| message.contains(id.as_str()))
                    .max_by_key(|(id, _)| id.len())
                    .map(|(_, s)| s.clone());
                r.lines.at(span, "", message)
            })
            .collect()
    })
}
