//! `eval --plot FILE.svg`: what a team needs to set its threshold, as one picture. Left, the
//! reliability diagram: each confidence bin's share of right answers against the diagonal a
//! calibrated confidence would follow, with the number of questions in each bin. Right, the
//! precision/coverage curve over every threshold, the default one marked. Drawn with plotters'
//! SVG backend: text stays text, and no browser, font library or Python is needed.

use plotters::prelude::*;

use super::{Report, reliability};
use crate::matcher::DEFAULT_MIN_CONFIDENCE;

/// The SVG of `report`'s reliability diagram and precision/coverage curve, titled `title`.
pub fn svg(report: &Report, title: &str) -> Result<String, String> {
    let mut out = String::new();
    draw(report, title, &mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

fn draw<'a>(
    report: &Report,
    title: &str,
    out: &'a mut String,
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let root = SVGBackend::with_string(out, (1100, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(title, ("sans-serif", 18))?;
    let (left, right) = root.split_horizontally(550);

    let mut chart = ChartBuilder::on(&left)
        .caption(
            format!(
                "Reliability: {} questions, ECE {:.3} (chance alone: ~{:.3})",
                report.questions, report.ece, report.ece_floor
            ),
            ("sans-serif", 15),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(44)
        .build_cartesian_2d(0f64..1f64, 0f64..1.08f64)?;
    chart
        .configure_mesh()
        .x_desc("confidence of the best answer")
        .y_desc("share right")
        .x_labels(11)
        .y_labels(6)
        .draw()?;
    chart.draw_series(LineSeries::new(
        [(0.0, 0.0), (1.0, 1.0)],
        BLACK.mix(0.4).stroke_width(1),
    ))?;
    let bins = reliability(&report.outcomes);
    chart.draw_series(bins.iter().map(|b| {
        let x0 = f64::from(b.from) / 100.0 + 0.008;
        let x1 = f64::from(b.from) / 100.0 + 0.092;
        Rectangle::new([(x0, 0.0), (x1, b.right)], BLUE.mix(0.45).filled())
    }))?;
    chart.draw_series(bins.iter().map(|b| {
        Text::new(
            format!("{}", b.count),
            (f64::from(b.from) / 100.0 + 0.02, b.right + 0.045),
            ("sans-serif", 12),
        )
    }))?;
    chart.draw_series(
        bins.iter()
            .map(|b| Circle::new((b.confidence, b.right), 3, BLACK.filled())),
    )?;

    let points: Vec<(f64, f64, u8)> = report
        .thresholds
        .iter()
        .filter(|t| t.drafted > 0)
        .map(|t| (t.coverage, t.precision, t.threshold))
        .collect();
    let max_coverage = points.iter().map(|p| p.0).fold(0.05_f64, f64::max).min(1.0);
    let mut curve = ChartBuilder::on(&right)
        .caption("Precision and coverage by threshold", ("sans-serif", 15))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(44)
        .build_cartesian_2d(0f64..max_coverage * 1.05, 0f64..1.05f64)?;
    curve
        .configure_mesh()
        .x_desc("share of questions drafted")
        .y_desc("share of drafts right")
        .y_labels(6)
        .draw()?;
    curve.draw_series(LineSeries::new(
        points.iter().map(|p| (p.0, p.1)),
        BLUE.stroke_width(2),
    ))?;
    curve.draw_series(
        points
            .iter()
            .filter(|p| p.2 % 10 == 0)
            .map(|p| Circle::new((p.0, p.1), 3, BLUE.filled())),
    )?;
    curve.draw_series(points.iter().filter(|p| p.2 % 10 == 0).map(|p| {
        Text::new(
            format!("≥ {}", p.2),
            (p.0, (p.1 - 0.05).max(0.01)),
            ("sans-serif", 11),
        )
    }))?;
    if let Some(p) = points.iter().find(|p| p.2 == DEFAULT_MIN_CONFIDENCE) {
        curve.draw_series(std::iter::once(Circle::new((p.0, p.1), 6, RED.filled())))?;
        curve.draw_series(std::iter::once(Text::new(
            format!(
                "default ≥ {}: {:.0}% right, {:.0}% drafted",
                p.2,
                p.1 * 100.0,
                p.0 * 100.0
            ),
            (p.0, (p.1 + 0.03).min(1.02)),
            ("sans-serif", 12).into_font().color(&RED),
        )))?;
    }
    root.present()?;
    Ok(())
}
