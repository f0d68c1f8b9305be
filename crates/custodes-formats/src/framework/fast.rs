//! The fast path of the framework reader: a parser for the plain subset of TOML that
//! framework files are written in (bare keys, one-line basic and literal strings, decimal
//! integers and floats, arrays, one-line inline tables, and the five table headers of the
//! format), straight into the document structs, without spans.
//!
//! It never decides that a file is wrong. Anything it does not know for certain (a
//! multi-line string, a dotted or quoted key, an escape it does not handle, a key given
//! twice, an unknown field, a value of the wrong type, …) makes it give up with `None`,
//! and the reader then parses the file with the `toml` crate, with spans, which accepts
//! or rejects it and names the place of every problem. So for any file it accepts, it
//! must give the same document as the `toml` crate: the tests check that on the
//! built-in frameworks and on thousands of random edits of a small file.

use toml::Spanned;

use super::{BandsDoc, Doc, Header, LevelDoc, NodeDoc, RoundingDoc, ScaleDoc, TagsDoc};
use super::{ThresholdDoc, Value};

/// Gives up: the file is read by the full parser instead.
type Fast<T> = Option<T>;

fn sp<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

/// Sets a field once; a second value means the full parser must judge the file.
fn once<T>(slot: &mut Option<T>, value: T) -> Fast<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

/// A control character, which TOML allows in no string or comment (tabs aside).
fn is_control(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

/// Parses a framework file written in the plain subset of TOML, or gives up.
pub(super) fn parse(text: &str) -> Fast<Doc> {
    Parser {
        s: text.as_bytes(),
        text,
        i: 0,
    }
    .document()
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

/// The table that key/value lines go to.
#[derive(Clone, Copy, PartialEq)]
enum Table {
    Top,
    Framework,
    Scale,
    Bands,
    Node,
    NodeTags,
}

#[derive(Default)]
struct HeaderB {
    id: Option<String>,
    version: Option<String>,
    name: Option<String>,
    description: Option<String>,
    source: Option<String>,
}

#[derive(Default)]
struct ScaleB {
    id: Option<String>,
    kind: Option<String>,
    name: Option<String>,
    levels: Option<Vec<Spanned<LevelDoc>>>,
}

#[derive(Default)]
struct BandsB {
    id: Option<String>,
    basis: Option<String>,
    thresholds: Option<Vec<Spanned<ThresholdDoc>>>,
}

#[derive(Default)]
struct TagsB {
    characteristic: Option<String>,
    deficits: Option<Vec<Spanned<String>>>,
    basis: Option<String>,
    actor_kinds: Option<Vec<Spanned<String>>>,
    reform_field: Option<String>,
}

#[derive(Default)]
struct NodeB {
    id: Option<String>,
    parent: Option<String>,
    title: Option<String>,
    aggregation: Option<String>,
    rounding: Option<RoundingDoc>,
    bands: Option<String>,
    question: Option<String>,
    guidance: Option<String>,
    scale: Option<String>,
    weight: Option<Value>,
    anchors: Option<Vec<String>>,
    tags: Option<TagsDoc>,
}

impl ScaleB {
    fn finish(self) -> Fast<ScaleDoc> {
        Some(ScaleDoc {
            id: sp(self.id?),
            kind: sp(self.kind?),
            name: self.name.unwrap_or_default(),
            levels: self.levels?,
        })
    }
}

impl BandsB {
    fn finish(self) -> Fast<BandsDoc> {
        Some(BandsDoc {
            id: sp(self.id?),
            basis: self.basis.map(sp),
            thresholds: self.thresholds?,
        })
    }
}

impl TagsB {
    fn finish(self) -> TagsDoc {
        TagsDoc {
            characteristic: self.characteristic.map(sp),
            deficits: self.deficits.unwrap_or_default(),
            basis: self.basis.map(sp),
            actor_kinds: self.actor_kinds.unwrap_or_default(),
            reform_field: self.reform_field.map(sp),
        }
    }
}

impl NodeB {
    fn finish(self) -> Fast<NodeDoc> {
        Some(NodeDoc {
            id: sp(self.id?),
            parent: self.parent.map(sp),
            title: self.title?,
            aggregation: self.aggregation.map(sp),
            rounding: self.rounding.map(sp),
            bands: self.bands.map(sp),
            question: self.question.unwrap_or_default(),
            guidance: self.guidance.unwrap_or_default(),
            scale: self.scale.map(sp),
            weight: self.weight.map(sp),
            anchors: self.anchors.map(sp),
            tags: self.tags.map(sp),
        })
    }
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, b: u8) -> Fast<()> {
        (self.peek() == Some(b)).then(|| self.i += 1)
    }

    /// Spaces and tabs.
    fn ws(&mut self) {
        while let Some(b' ' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    /// A comment, if one starts here: up to the end of the line, without control
    /// characters.
    fn comment(&mut self) -> Fast<()> {
        if self.peek() != Some(b'#') {
            return Some(());
        }
        while let Some(b) = self.peek() {
            if b == b'\n' || b == b'\r' {
                break;
            }
            if is_control(b) {
                return None;
            }
            self.i += 1;
        }
        Some(())
    }

    /// A line break (`\n` or `\r\n`).
    fn newline(&mut self) -> Fast<()> {
        match self.peek()? {
            b'\n' => self.i += 1,
            b'\r' if self.s.get(self.i + 1) == Some(&b'\n') => self.i += 2,
            _ => return None,
        }
        Some(())
    }

    /// The rest of a line after a key/value pair or a header: spaces, perhaps a comment,
    /// then the line break or the end of the file.
    fn end_of_line(&mut self) -> Fast<()> {
        self.ws();
        self.comment()?;
        if self.i == self.s.len() {
            return Some(());
        }
        self.newline()
    }

    /// Spaces, comments and line breaks, as between lines or between array items.
    fn blank(&mut self) -> Fast<()> {
        loop {
            self.ws();
            match self.peek() {
                Some(b'#') => self.comment()?,
                Some(b'\n' | b'\r') => self.newline()?,
                _ => return Some(()),
            }
        }
    }

    /// A bare key.
    fn key(&mut self) -> Fast<&str> {
        let start = self.i;
        while let Some(b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-') = self.peek() {
            self.i += 1;
        }
        (self.i > start).then(|| &self.text[start..self.i])
    }

    /// `key =`, with spaces around the sign; a dotted or quoted key gives up.
    fn key_eq(&mut self) -> Fast<&'a str> {
        let start = self.i;
        self.key()?;
        let end = self.i;
        self.ws();
        self.eat(b'=')?;
        self.ws();
        let text = self.text;
        Some(&text[start..end])
    }

    /// A one-line basic or literal string.
    fn string(&mut self) -> Fast<String> {
        match self.peek()? {
            b'"' => self.basic(),
            b'\'' => self.literal(),
            _ => None,
        }
    }

    fn literal(&mut self) -> Fast<String> {
        self.i += 1;
        let start = self.i;
        loop {
            let b = self.peek()?;
            if b == b'\'' {
                break;
            }
            if is_control(b) {
                return None;
            }
            self.i += 1;
        }
        // `''` followed by `'` would open a multi-line literal string.
        if self.i == start && self.s.get(self.i + 1) == Some(&b'\'') {
            return None;
        }
        let out = self.text[start..self.i].to_owned();
        self.i += 1;
        Some(out)
    }

    fn basic(&mut self) -> Fast<String> {
        self.i += 1;
        if self.s.get(self.i..self.i + 2) == Some(b"\"\"") {
            return None; // a multi-line string
        }
        let mut out = String::new();
        loop {
            let start = self.i;
            let end = start + memchr::memchr2(b'"', b'\\', &self.s[start..])?;
            if self.s[start..end].iter().any(|&b| is_control(b)) {
                return None;
            }
            self.i = end;
            if self.s[end] == b'"' {
                if out.is_empty() {
                    out = self.text[start..end].to_owned();
                } else {
                    out.push_str(&self.text[start..end]);
                }
                self.i += 1;
                return Some(out);
            }
            out.push_str(&self.text[start..end]);
            self.i += 1;
            let c = match self.peek()? {
                b'"' => '"',
                b'\\' => '\\',
                b'n' => '\n',
                b't' => '\t',
                b'r' => '\r',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'u' => self.hex_char(4)?,
                b'U' => self.hex_char(8)?,
                _ => return None,
            };
            out.push(c);
            self.i += 1;
        }
    }

    /// The character of a `\u` or `\U` escape, leaving the parser on its last digit.
    fn hex_char(&mut self, digits: usize) -> Fast<char> {
        let hex = self.s.get(self.i + 1..self.i + 1 + digits)?;
        if !hex.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        let code = u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
        self.i += digits;
        char::from_u32(code)
    }

    /// A decimal integer or a decimal float with a fractional part; anything else
    /// (exponents, underscores, other bases, dates, `inf`) gives up.
    fn number(&mut self) -> Fast<Value> {
        let start = self.i;
        if let Some(b'+' | b'-') = self.peek() {
            self.i += 1;
        }
        let digits = self.i;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
        }
        let whole = self.i - digits;
        if whole == 0 || (whole > 1 && self.s[digits] == b'0') {
            return None;
        }
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.i += 1;
            let fraction = self.i;
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.i += 1;
            }
            if self.i == fraction {
                return None;
            }
            float = true;
        }
        // The number must end here.
        match self.peek() {
            None | Some(b' ' | b'\t' | b',' | b']' | b'}' | b'#' | b'\n' | b'\r') => {}
            _ => return None,
        }
        let text = &self.text[start..self.i];
        if float {
            let f: f64 = text.parse().ok()?;
            f.is_finite().then_some(Value::Float(f))
        } else {
            text.parse().ok().map(Value::Integer)
        }
    }

    /// A value kept as a TOML value: a string or a number.
    fn scalar(&mut self) -> Fast<Value> {
        match self.peek()? {
            b'"' | b'\'' => self.string().map(Value::String),
            _ => self.number(),
        }
    }

    /// An array, its items read by `item`; items may span lines and carry comments, and a
    /// trailing comma is allowed.
    fn array<T>(&mut self, mut item: impl FnMut(&mut Self) -> Fast<T>) -> Fast<Vec<T>> {
        self.eat(b'[')?;
        let mut out = Vec::new();
        loop {
            self.blank()?;
            if self.eat(b']').is_some() {
                return Some(out);
            }
            out.push(item(self)?);
            self.blank()?;
            if self.eat(b',').is_none() {
                self.eat(b']')?;
                return Some(out);
            }
        }
    }

    /// A one-line inline table without a trailing comma, each pair handed to `pair`.
    fn inline(&mut self, mut pair: impl FnMut(&mut Self, &str) -> Fast<()>) -> Fast<()> {
        self.eat(b'{')?;
        self.ws();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let key = self.key_eq()?;
            pair(self, key)?;
            self.ws();
            if self.eat(b',').is_none() {
                return self.eat(b'}');
            }
            self.ws();
        }
    }

    fn strings(&mut self) -> Fast<Vec<String>> {
        self.array(Self::string)
    }

    fn spanned_strings(&mut self) -> Fast<Vec<Spanned<String>>> {
        self.array(|p| p.string().map(sp))
    }

    fn level(&mut self) -> Fast<Spanned<LevelDoc>> {
        let (mut id, mut value, mut descriptor) = (None, None, None);
        self.inline(|p, key| match key {
            "id" => once(&mut id, p.string()?),
            "value" => once(&mut value, p.scalar()?),
            "descriptor" => once(&mut descriptor, p.string()?),
            _ => None,
        })?;
        Some(sp(LevelDoc {
            id: id?,
            value,
            descriptor: descriptor.unwrap_or_default(),
        }))
    }

    fn threshold(&mut self) -> Fast<Spanned<ThresholdDoc>> {
        let (mut min, mut label) = (None, None);
        self.inline(|p, key| match key {
            "min" => once(&mut min, p.scalar()?),
            "label" => once(&mut label, p.string()?),
            _ => None,
        })?;
        Some(sp(ThresholdDoc {
            min: min?,
            label: label?,
        }))
    }

    fn rounding(&mut self) -> Fast<RoundingDoc> {
        let (mut method, mut decimals) = (None, None);
        self.inline(|p, key| match key {
            "method" => once(&mut method, p.string()?),
            "decimals" => match p.number()? {
                Value::Integer(d) => once(&mut decimals, d),
                _ => None,
            },
            _ => None,
        })?;
        Some(RoundingDoc {
            method: sp(method?),
            decimals: sp(decimals?),
        })
    }

    fn tag_pair(&mut self, t: &mut TagsB, key: &str) -> Fast<()> {
        match key {
            "characteristic" => once(&mut t.characteristic, self.string()?),
            "deficits" => once(&mut t.deficits, self.spanned_strings()?),
            "basis" => once(&mut t.basis, self.string()?),
            "actor_kinds" => once(&mut t.actor_kinds, self.spanned_strings()?),
            "reform_field" => once(&mut t.reform_field, self.string()?),
            _ => None,
        }
    }

    fn node_pair(&mut self, n: &mut NodeB, key: &str) -> Fast<()> {
        match key {
            "id" => once(&mut n.id, self.string()?),
            "parent" => once(&mut n.parent, self.string()?),
            "title" => once(&mut n.title, self.string()?),
            "aggregation" => once(&mut n.aggregation, self.string()?),
            "rounding" => once(&mut n.rounding, self.rounding()?),
            "bands" => once(&mut n.bands, self.string()?),
            "question" => once(&mut n.question, self.string()?),
            "guidance" => once(&mut n.guidance, self.string()?),
            "scale" => once(&mut n.scale, self.string()?),
            "weight" => once(&mut n.weight, self.scalar()?),
            "anchors" => once(&mut n.anchors, self.strings()?),
            "tags" => {
                let mut t = TagsB::default();
                self.inline(|p, key| p.tag_pair(&mut t, key))?;
                once(&mut n.tags, t.finish())
            }
            _ => None,
        }
    }

    /// A table header: `[framework]`, `[[scale]]`, `[[bands]]`, `[[node]]` or
    /// `[node.tags]`, written without inner spaces.
    fn header(&mut self) -> Fast<Table> {
        let rest = &self.s[self.i..];
        let (table, len) = [
            (Table::Framework, &b"[framework]"[..]),
            (Table::Scale, b"[[scale]]"),
            (Table::Bands, b"[[bands]]"),
            (Table::Node, b"[[node]]"),
            (Table::NodeTags, b"[node.tags]"),
        ]
        .into_iter()
        .find(|(_, h)| rest.starts_with(h))
        .map(|(t, h)| (t, h.len()))?;
        self.i += len;
        self.end_of_line()?;
        Some(table)
    }

    fn document(mut self) -> Fast<Doc> {
        let mut format = None;
        let mut header: Option<HeaderB> = None;
        let mut scales = Vec::new();
        let mut bands = Vec::new();
        let mut nodes: Vec<Spanned<NodeDoc>> =
            Vec::with_capacity(memchr::memmem::find_iter(self.s, b"[[node]]").count());
        // The table being filled, for the array tables and `[node.tags]`.
        let mut table = Table::Top;
        let mut scale = ScaleB::default();
        let mut band = BandsB::default();
        let mut node = NodeB::default();
        let mut tags = TagsB::default();
        loop {
            self.blank()?;
            let end = self.i == self.s.len();
            if end || self.peek() == Some(b'[') {
                // Close the table being filled.
                match table {
                    Table::Top | Table::Framework => {}
                    Table::Scale => scales.push(sp(std::mem::take(&mut scale).finish()?)),
                    Table::Bands => bands.push(sp(std::mem::take(&mut band).finish()?)),
                    Table::Node => nodes.push(sp(std::mem::take(&mut node).finish()?)),
                    Table::NodeTags => {
                        let t = std::mem::take(&mut tags).finish();
                        let last = nodes.last_mut()?.get_mut();
                        once(&mut last.tags, sp(t))?;
                    }
                }
                if end {
                    break;
                }
                table = self.header()?;
                match table {
                    Table::Framework => once(&mut header, HeaderB::default())?,
                    Table::NodeTags => {
                        // `[node.tags]` belongs to the last `[[node]]`, closed above.
                        let last = nodes.last()?.get_ref();
                        if last.tags.is_some() {
                            return None;
                        }
                    }
                    _ => {}
                }
                continue;
            }
            let key = self.key_eq()?;
            match table {
                Table::Top => match key {
                    "format" => once(&mut format, self.string()?)?,
                    _ => return None,
                },
                Table::Framework => {
                    let h = header.as_mut()?;
                    match key {
                        "id" => once(&mut h.id, self.string()?)?,
                        "version" => once(&mut h.version, self.string()?)?,
                        "name" => once(&mut h.name, self.string()?)?,
                        "description" => once(&mut h.description, self.string()?)?,
                        "source" => once(&mut h.source, self.string()?)?,
                        _ => return None,
                    }
                }
                Table::Scale => match key {
                    "id" => once(&mut scale.id, self.string()?)?,
                    "kind" => once(&mut scale.kind, self.string()?)?,
                    "name" => once(&mut scale.name, self.string()?)?,
                    "levels" => once(&mut scale.levels, self.array(Self::level)?)?,
                    _ => return None,
                },
                Table::Bands => match key {
                    "id" => once(&mut band.id, self.string()?)?,
                    "basis" => once(&mut band.basis, self.string()?)?,
                    "thresholds" => once(&mut band.thresholds, self.array(Self::threshold)?)?,
                    _ => return None,
                },
                Table::Node => self.node_pair(&mut node, key)?,
                Table::NodeTags => self.tag_pair(&mut tags, key)?,
            }
            self.end_of_line()?;
        }
        let h = header?;
        Some(Doc {
            format: sp(format?),
            framework: sp(Header {
                id: sp(h.id?),
                version: sp(h.version?),
                name: h.name?,
                // A `reviewers` key is left to the exact reader (`_ => return None` above).
                reviewers: None,
                description: h.description.unwrap_or_default(),
                source: h.source.unwrap_or_default(),
            }),
            scale: scales,
            bands,
            node: nodes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin;

    /// A small file that uses every key and every form of value the fast parser reads,
    /// and some it gives up on.
    const SAMPLE: &str = "# A framework\r\nformat = \"custodes-framework/1\" # the format\n\n\
[framework]\nid = 'sample'\nversion = \"1.0.0\"\nname = \"Sample \\\"quoted\\\" \\u00e9\\U0001F600\\t\\\\\"\n\
description = \"\"\nsource = 'C:\\path'\n\n\
[[scale]]\nid = \"five\"\nkind = \"numeric\"\nname = \"Five\"\nlevels = [\n  { id = \"0\", value = 0, descriptor = \"none\" },\n  { id = \"1\", value = 25.5 }, # a comment\n  { id = \"2\", value = \"50\" },\n  { id = \"3\", value = +75 },\n  { id = \"4\", value = 100 },\n]\n\n\
[[bands]]\nid = \"maturity\"\nbasis = \"unrounded\"\nthresholds = [{ min = 80, label = \"Established\" }, { min = -0.5, label = \"Absent\" }]\n\n\
[[node]]\nid = \"root\"\ntitle = \"Root\"\naggregation = \"weighted_mean\"\nrounding = { method = \"half_up\", decimals = 1 }\nbands = \"maturity\"\n\n\
[[node]]\n  id = \"c1\"\n\tparent = \"root\"\ntitle = \"C1\"\naggregation = \"mean\"\nweight = 0.25\n\n\
[[node]] # an indicator\nid = \"c1.1\"\nparent = \"c1\"\ntitle = \"I\"\nquestion = \"Q?\"\nguidance = \"G.\"\nscale = \"five\"\nweight = 2\n\
anchors = [\"a\", 'b', \"c\",\n  \"d\", \"e\",]\n[node.tags]\ncharacteristic = \"c1\"\ndeficits = [\"poor-legislation\"]\nbasis = \"de_jure\"\nactor_kinds = [\"parliament\"]\nreform_field = \"rule-of-law\"\n\n\
[[node]]\nid = \"c1.2\"\nparent = \"c1\"\ntitle = \"J\"\nscale = \"five\"\ntags = { characteristic = \"c2\", deficits = [] }\n";

    fn exact(text: &str) -> Result<Doc, toml::de::Error> {
        toml::from_str(text)
    }

    #[test]
    fn the_sample_and_the_built_in_frameworks_take_the_fast_path_and_read_the_same() {
        let mut texts = vec![SAMPLE.to_owned()];
        texts.extend(builtin::FRAMEWORKS.iter().map(|f| f.text.to_owned()));
        for text in texts {
            let fast = parse(&text).expect("the fast parser reads it");
            assert_eq!(fast, exact(&text).expect("the toml crate reads it"));
        }
    }

    #[test]
    fn the_fast_path_gives_up_on_what_it_does_not_know() {
        for (from, to) in [
            ("name = \"Five\"", "name = \"\"\"Five\"\"\""),
            ("name = \"Five\"", "name = '''Five'''"),
            ("name = \"Five\"", "\"name\" = \"Five\""),
            ("name = \"Five\"", "name.x = \"Five\""),
            ("name = \"Five\"", "name = \"Five\"\nname = \"Six\""),
            ("name = \"Five\"", "nmae = \"Five\""),
            ("weight = 2", "weight = 2e1"),
            ("weight = 2", "weight = 0x2"),
            ("weight = 2", "weight = 1_000"),
            ("weight = 2", "weight = true"),
            ("weight = 2", "weight = 1979-05-27"),
            ("decimals = 1", "decimals = 1.0"),
            ("[node.tags]", "[ node.tags ]"),
            ("[node.tags]", "[node.rounding]"),
            ("\"G.\"", "\"G\\e\""),
            (
                "title = \"J\"",
                "title = \"J\"\n[node.tags]\nbasis = \"de_jure\"",
            ),
        ] {
            let text = SAMPLE.replacen(from, to, 1);
            assert_ne!(text, SAMPLE, "{from}");
            assert!(parse(&text).is_none(), "{to}");
        }
    }

    #[test]
    fn both_paths_build_the_same_framework() {
        for f in builtin::FRAMEWORKS {
            let fast = super::super::read(f.file, f.text).expect("valid");
            let exact = super::super::read_exact(f.file, f.text).expect("valid");
            assert_eq!(fast.framework(), exact.framework());
        }
    }

    /// Whatever the fast parser accepts, the `toml` crate accepts with the same content:
    /// thousands of random edits of the sample, each checked against the `toml` crate.
    #[test]
    fn random_edits_never_make_the_fast_parser_disagree() {
        const PIECES: [&str; 32] = [
            "\"",
            "'",
            "\\",
            "[",
            "]",
            "{",
            "}",
            "=",
            ",",
            ".",
            "#",
            "\n",
            "\r",
            "\t",
            " ",
            "-",
            "+",
            "_",
            "0",
            "1",
            "9",
            "e",
            "u",
            "a",
            "é",
            "\u{7f}",
            "\u{1}",
            "[[node]]",
            "[node.tags]",
            "id",
            "\"\"",
            "inf",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            usize::try_from(seed % n as u64).unwrap_or(0)
        };
        let (mut accepted, mut refused) = (0, 0);
        for _ in 0..20_000 {
            let mut text = SAMPLE.to_owned();
            for _ in 0..1 + next(3) {
                let mut at = next(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                match next(4) {
                    0 => text.insert_str(at, PIECES[next(PIECES.len())]),
                    1 => {
                        let mut end = (at + 1 + next(3)).min(text.len());
                        while !text.is_char_boundary(end) {
                            end += 1;
                        }
                        text.replace_range(at..end, "");
                    }
                    2 => {
                        let mut end = (at + 1).min(text.len());
                        while !text.is_char_boundary(end) {
                            end += 1;
                        }
                        text.replace_range(at..end, PIECES[next(PIECES.len())]);
                    }
                    _ => {
                        // Repeat a line elsewhere.
                        let lines: Vec<&str> = text.lines().collect();
                        let line = lines[next(lines.len())].to_owned();
                        let mut to = next(text.len() + 1);
                        while !text.is_char_boundary(to) {
                            to -= 1;
                        }
                        text.insert_str(to, &format!("\n{line}\n"));
                    }
                }
            }
            match parse(&text) {
                Some(fast) => {
                    accepted += 1;
                    match exact(&text) {
                        Ok(doc) => assert_eq!(fast, doc, "{text}"),
                        Err(e) => {
                            panic!("the fast parser accepts what toml refuses ({e}):\n{text}")
                        }
                    }
                }
                None => refused += 1,
            }
        }
        // Both sides are exercised.
        assert!(accepted > 1_000 && refused > 1_000, "{accepted} {refused}");
    }
}
