//! The nodes of a framework's tree: grouping nodes, which declare how they combine their
//! children, and indicators, which an assessor answers on a scale.

use serde::{Deserialize, Serialize};

use super::aggregate::Aggregation;
use super::band::{Bands, ValueBasis};
use super::id::{NodeId, ScaleId};
use super::number::Number;
use super::rank::Ranking;
use super::rounding::Rounding;
use super::tag::Tags;

/// A node of the tree, linked to its parent by id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Its stable id.
    pub id: NodeId,
    /// Its parent, or `None` for a root.
    pub parent: Option<NodeId>,
    /// Its title, shown to people.
    pub title: String,
    /// Its weight in a parent's weighted mean; 1 unless declared. It may be zero, never
    /// negative.
    #[serde(default = "one")]
    pub weight: Number,
    /// A group or an indicator.
    pub kind: NodeKind,
}

fn one() -> Number {
    Number::ONE
}

/// What a node is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// A grouping node, scored from its children.
    Group(Group),
    /// An indicator, answered by an assessor.
    Indicator(Indicator),
}

/// A grouping node's scoring rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// How it combines its children.
    pub aggregation: Aggregation,
    /// How its published value is rounded; unrounded when `None`.
    #[serde(default)]
    pub rounding: Option<Rounding>,
    /// The bands its value falls into.
    #[serde(default)]
    pub bands: Option<Bands>,
    /// How its children are ranked among themselves.
    #[serde(default)]
    pub ranking: Option<Ranking>,
    /// Which of its values its parent combines: the exact one (the usual rule) or the
    /// published one (for indices that round each level before going up).
    #[serde(default)]
    pub parent_uses: ValueBasis,
}

/// An indicator: a question answered on a scale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// The scale its answers come from.
    pub scale: ScaleId,
    /// The question the assessor answers.
    #[serde(default)]
    pub question: String,
    /// Guidance for answering it: sources, pitfalls, examples.
    #[serde(default)]
    pub guidance: String,
    /// Its tags.
    #[serde(default)]
    pub tags: Tags,
}

impl Group {
    /// A group with the given rule and no rounding, bands or ranking.
    pub fn new(aggregation: Aggregation) -> Group {
        Group {
            aggregation,
            rounding: None,
            bands: None,
            ranking: None,
            parent_uses: ValueBasis::Unrounded,
        }
    }
}

impl Node {
    /// A grouping node whose title is its id; refine it with the `with_…` methods.
    pub fn group(id: &str, parent: Option<&str>, aggregation: Aggregation) -> Node {
        Node {
            id: id.into(),
            parent: parent.map(NodeId::from),
            title: id.to_owned(),
            weight: Number::ONE,
            kind: NodeKind::Group(Group::new(aggregation)),
        }
    }

    /// An indicator on `scale` whose title is its id, with no question, guidance or tags.
    pub fn indicator(id: &str, parent: Option<&str>, scale: &str) -> Node {
        Node {
            id: id.into(),
            parent: parent.map(NodeId::from),
            title: id.to_owned(),
            weight: Number::ONE,
            kind: NodeKind::Indicator(Indicator {
                scale: scale.into(),
                question: String::new(),
                guidance: String::new(),
                tags: Tags::default(),
            }),
        }
    }

    /// The same node with another weight.
    pub fn with_weight(mut self, weight: Number) -> Node {
        self.weight = weight;
        self
    }

    /// The same group with a rounding rule; an indicator is returned unchanged.
    pub fn with_rounding(mut self, rounding: Rounding) -> Node {
        if let NodeKind::Group(g) = &mut self.kind {
            g.rounding = Some(rounding);
        }
        self
    }

    /// The same group with bands; an indicator is returned unchanged.
    pub fn with_bands(mut self, bands: Bands) -> Node {
        if let NodeKind::Group(g) = &mut self.kind {
            g.bands = Some(bands);
        }
        self
    }

    /// The same group ranking its children; an indicator is returned unchanged.
    pub fn with_ranking(mut self, ranking: Ranking) -> Node {
        if let NodeKind::Group(g) = &mut self.kind {
            g.ranking = Some(ranking);
        }
        self
    }

    /// The same group passing its published value to its parent; an indicator is
    /// returned unchanged.
    pub fn passing_displayed(mut self) -> Node {
        if let NodeKind::Group(g) = &mut self.kind {
            g.parent_uses = ValueBasis::Displayed;
        }
        self
    }

    /// The group's rules, if it is a group.
    pub fn as_group(&self) -> Option<&Group> {
        match &self.kind {
            NodeKind::Group(g) => Some(g),
            NodeKind::Indicator(_) => None,
        }
    }

    /// The indicator's details, if it is an indicator.
    pub fn as_indicator(&self) -> Option<&Indicator> {
        match &self.kind {
            NodeKind::Indicator(i) => Some(i),
            NodeKind::Group(_) => None,
        }
    }
}
