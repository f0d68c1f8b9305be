//! The picture of a security sector: the pillars as bands, actors as boxes in them, and
//! relations as arrows between the boxes.

use std::collections::BTreeMap;
use std::fmt::Write;

use custodes_core::ActorId;
use custodes_core::sector::{ActorKind, MapActor, MapRelation, Pillar, RelationKind};

const WIDTH: f64 = 1100.0;
const BOX_W: f64 = 190.0;
const BOX_H: f64 = 44.0;
const GAP_X: f64 = 22.0;
const GAP_Y: f64 = 26.0;
const LABEL_W: f64 = 180.0;
const PER_ROW: usize = 4;

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Splits a name into at most two lines of about `width` characters.
fn lines(name: &str, width: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    for word in name.split_whitespace() {
        let last = out.last_mut().expect("one line at least");
        if !last.is_empty() && last.len() + 1 + word.len() > width {
            if out.len() == 2 {
                let l = out.last_mut().expect("two lines");
                l.push('…');
                break;
            }
            out.push(word.to_owned());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    out
}

fn style(kind: RelationKind) -> (&'static str, &'static str, &'static str) {
    // Colour, dash pattern, marker id.
    match kind {
        RelationKind::Oversees(_) => ("#1d3557", "", "arrow-oversees"),
        RelationKind::ReportsTo => ("#505a5f", "6 4", "arrow-reports"),
        RelationKind::CoordinatesWith => ("#00703c", "2 4", "arrow-coordinates"),
        RelationKind::Funds => ("#6f3c9e", "10 4 2 4", "arrow-funds"),
    }
}

/// Draws the sector. `title` names the picture for assistive technology.
pub fn sector_svg(title: &str, actors: &[MapActor], relations: &[MapRelation]) -> String {
    let mut bands: BTreeMap<Pillar, Vec<&MapActor>> = BTreeMap::new();
    for a in actors {
        bands.entry(a.kind.pillar()).or_default().push(a);
    }
    for list in bands.values_mut() {
        list.sort_by(|x, y| x.name.cmp(&y.name));
    }
    let mut pos: BTreeMap<ActorId, (f64, f64)> = BTreeMap::new();
    let mut body = String::new();
    let mut y = 10.0;
    for (i, (pillar, list)) in bands.iter().enumerate() {
        let rows = list.len().div_ceil(PER_ROW).max(1);
        let h = rows as f64 * (BOX_H + GAP_Y) + GAP_Y;
        let fill = if i % 2 == 0 { "#f3f5f8" } else { "#ffffff" };
        let _ = write!(
            body,
            r##"<rect x="0" y="{y}" width="{WIDTH}" height="{h}" fill="{fill}" stroke="#b1b4b6" stroke-width="1"/><text x="12" y="{}" font-size="15" font-weight="700" fill="#0b0c0c">{}</text>"##,
            y + 26.0,
            esc(pillar.label())
        );
        for (j, a) in list.iter().enumerate() {
            let col = j % PER_ROW;
            let row = j / PER_ROW;
            let x = LABEL_W + col as f64 * (BOX_W + GAP_X);
            let by = y + GAP_Y + row as f64 * (BOX_H + GAP_Y);
            pos.insert(a.id, (x, by));
            let stroke = if a.kind == ActorKind::NonStatutoryArmedGroup {
                "#b3261e"
            } else {
                "#0b0c0c"
            };
            let _ = write!(
                body,
                r##"<g><title>{name} ({kind})</title><rect x="{x}" y="{by}" width="{BOX_W}" height="{BOX_H}" rx="3" fill="#ffffff" stroke="{stroke}" stroke-width="1.5"/>"##,
                name = esc(&a.name),
                kind = esc(a.kind.label())
            );
            let text = lines(&a.name, 26);
            let n = text.len() as f64;
            for (k, line) in text.iter().enumerate() {
                let ty = by + BOX_H / 2.0 - (n - 1.0) * 8.0 + k as f64 * 16.0 + 5.0;
                let _ = write!(
                    body,
                    r##"<text x="{}" y="{ty}" font-size="13" text-anchor="middle" fill="#0b0c0c">{}</text>"##,
                    x + BOX_W / 2.0,
                    esc(line)
                );
            }
            body.push_str("</g>");
        }
        y += h;
    }
    let height = y + 80.0;
    let mut arrows = String::new();
    for r in relations {
        let (Some(&(fx, fy)), Some(&(tx, ty))) = (pos.get(&r.from), pos.get(&r.to)) else {
            continue;
        };
        let (colour, dash, marker) = style(r.kind);
        // From the nearer horizontal edge of each box.
        let (x1, y1) = (
            fx + BOX_W / 2.0,
            if ty > fy {
                fy + BOX_H
            } else if ty < fy {
                fy
            } else {
                fy + BOX_H / 2.0
            },
        );
        let (x2, y2) = (
            tx + BOX_W / 2.0,
            if ty > fy {
                ty
            } else if ty < fy {
                ty + BOX_H
            } else {
                ty + BOX_H / 2.0
            },
        );
        let dash = if dash.is_empty() {
            String::new()
        } else {
            format!(r#" stroke-dasharray="{dash}""#)
        };
        let _ = write!(
            arrows,
            r##"<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{colour}" stroke-width="1.6" opacity="0.8"{dash} marker-end="url(#{marker})"/>"##
        );
    }
    let mut legend = String::new();
    let ly = height - 40.0;
    for (i, (label, kind)) in [
        (
            "oversees",
            RelationKind::Oversees(custodes_core::sector::OversightKind::Legislative),
        ),
        ("reports to", RelationKind::ReportsTo),
        ("coordinates with", RelationKind::CoordinatesWith),
        ("funds", RelationKind::Funds),
    ]
    .into_iter()
    .enumerate()
    {
        let (colour, dash, marker) = style(kind);
        let x = 12.0 + i as f64 * 200.0;
        let dash = if dash.is_empty() {
            String::new()
        } else {
            format!(r#" stroke-dasharray="{dash}""#)
        };
        let _ = write!(
            legend,
            r##"<line x1="{x}" y1="{ly}" x2="{}" y2="{ly}" stroke="{colour}" stroke-width="2"{dash} marker-end="url(#{marker})"/><text x="{}" y="{}" font-size="13" fill="#0b0c0c">{label}</text>"##,
            x + 50.0,
            x + 60.0,
            ly + 5.0
        );
    }
    let mut defs = String::from("<defs>");
    for kind in [
        RelationKind::Oversees(custodes_core::sector::OversightKind::Budgetary),
        RelationKind::ReportsTo,
        RelationKind::CoordinatesWith,
        RelationKind::Funds,
    ] {
        let (colour, _, marker) = style(kind);
        let _ = write!(
            defs,
            r##"<marker id="{marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="{colour}"/></marker>"##
        );
    }
    defs.push_str("</defs>");
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-labelledby="sector-title sector-desc" font-family="system-ui, sans-serif"><title id="sector-title">{}</title><desc id="sector-desc">{} actors in {} bands and {} relations. The same relations are listed in the table below the picture.</desc>{defs}{body}{arrows}{legend}</svg>"##,
        esc(title),
        actors.len(),
        bands.len(),
        relations.len()
    )
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn actor(n: u128, name: &str, kind: ActorKind) -> MapActor {
        MapActor {
            id: ActorId::from_uuid(Uuid::from_u128(n)),
            name: name.into(),
            kind,
            parent: None,
            legal_basis: String::new(),
        }
    }

    #[test]
    fn draws_bands_boxes_and_arrows() {
        let actors = vec![
            actor(1, "Armed Forces", ActorKind::ArmedForces),
            actor(2, "Defence <Committee>", ActorKind::ParliamentaryCommittee),
        ];
        let relations = vec![MapRelation {
            from: actors[1].id,
            to: actors[0].id,
            kind: RelationKind::Oversees(custodes_core::sector::OversightKind::Legislative),
        }];
        let svg = sector_svg("Sector of Land", &actors, &relations);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("<title id=\"sector-title\">Sector of Land</title>"));
        assert!(svg.contains("Security providers") && svg.contains("Management and oversight"));
        assert!(
            svg.contains("Defence &lt;Committee&gt;"),
            "names are escaped"
        );
        assert_eq!(
            svg.matches("marker-end=\"url(#arrow-oversees)\"").count(),
            2,
            "one arrow and its legend"
        );
        assert!(svg.contains("2 actors in 2 bands and 1 relations"));
    }

    #[test]
    fn arrows_to_actors_not_drawn_are_left_out() {
        let actors = vec![actor(1, "Police", ActorKind::Police)];
        let relations = vec![MapRelation {
            from: ActorId::from_uuid(Uuid::from_u128(9)),
            to: actors[0].id,
            kind: RelationKind::Funds,
        }];
        let svg = sector_svg("x", &actors, &relations);
        assert_eq!(svg.matches("<line").count(), 4, "only the legend's lines");
    }

    #[test]
    fn long_names_wrap_on_two_lines_at_most() {
        assert_eq!(
            lines("General Inspectorate of the Armed Forces", 26),
            vec!["General Inspectorate of", "the Armed Forces"]
        );
        let l = lines(
            "A very long name that goes on and on and on past two lines",
            20,
        );
        assert_eq!(l.len(), 2);
        assert!(l[1].ends_with('…'));
    }
}
